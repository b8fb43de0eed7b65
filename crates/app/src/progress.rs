//! Progress for long work: a bar on a terminal, plain lines when piped,
//! nothing with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Rows between two plain progress lines when stderr is not a terminal.
const PLAIN_EVERY: u64 = 100_000;

/// Counts rows of one long task.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    label: String,
    plain: bool,
    done: u64,
}

impl Progress {
    pub(crate) fn new(label: &str, quiet: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !quiet).then(|| spinner(label));
        Progress { bar, label: label.to_owned(), plain: !terminal && !quiet, done: 0 }
    }

    pub(crate) fn add(&mut self, rows: u64) {
        let before = self.done;
        self.done += rows;
        if let Some(bar) = &self.bar {
            bar.set_position(self.done);
        } else if self.plain && before / PLAIN_EVERY != self.done / PLAIN_EVERY {
            eprintln!("{}: {} rows", self.label, self.done);
        }
    }

    pub(crate) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

fn spinner(label: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{spinner} {msg}: {human_pos} rows ({per_sec})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.set_message(label.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
