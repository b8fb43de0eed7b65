//! Progress for long work: a spinner with a count on a terminal, a plain
//! line every few seconds when stderr is piped (cron logs, CI), nothing
//! with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Time between two plain progress lines when stderr is not a terminal:
/// often enough to show a long run is alive, rare enough for a log file.
const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// Counts the units (rows, reports) of one long task.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    label: String,
    unit: &'static str,
    plain: Option<Instant>,
    done: u64,
}

impl Progress {
    /// `label` names the task (`import`, `Concur`); `unit` what is
    /// counted, plural (`rows`).
    pub(crate) fn new(label: &str, unit: &'static str, quiet: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !quiet).then(|| spinner(label, unit));
        let plain = (!terminal && !quiet).then(Instant::now);
        Progress { bar, label: label.to_owned(), unit, plain, done: 0 }
    }

    pub(crate) fn add(&mut self, count: u64) {
        self.done += count;
        if let Some(bar) = &self.bar {
            bar.set_position(self.done);
        } else if let Some(last) = &mut self.plain
            && last.elapsed() >= PLAIN_EVERY
        {
            eprintln!("{}: {} {} so far", self.label, self.done, self.unit);
            *last = Instant::now();
        }
    }

    pub(crate) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

fn spinner(label: &str, unit: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let template = format!("{{spinner}} {{msg}}: {{human_pos}} {unit} ({{elapsed}})");
    let style = ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.set_message(label.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
