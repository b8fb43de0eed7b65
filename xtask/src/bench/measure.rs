//! Timing: run a closure several times, keep the median, minimum and
//! maximum, and say what each stage is.

use std::time::{Duration, Instant};

/// Times of one stage over several runs.
#[derive(Clone, Debug)]
pub(crate) struct Timing {
    pub(crate) median: Duration,
    pub(crate) min: Duration,
    pub(crate) max: Duration,
}

impl Timing {
    pub(crate) fn from_samples(mut samples: Vec<Duration>) -> Timing {
        samples.sort();
        let runs = samples.len();
        let median = if runs % 2 == 1 {
            samples[runs / 2]
        } else {
            (samples[runs / 2 - 1] + samples[runs / 2]) / 2
        };
        Timing { median, min: samples[0], max: samples[runs - 1] }
    }

    /// Seconds, for ratios.
    pub(crate) fn secs(&self) -> f64 {
        self.median.as_secs_f64()
    }
}

/// Run `work` `runs` times (after one untimed warm-up when `warm`), timing
/// each; `work` returns a check value so the optimiser cannot drop it.
pub(crate) fn time_runs<T>(
    runs: usize,
    warm: bool,
    mut work: impl FnMut() -> anyhow::Result<T>,
) -> anyhow::Result<Timing> {
    if warm {
        std::hint::black_box(work()?);
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        std::hint::black_box(work()?);
        samples.push(started.elapsed());
    }
    Ok(Timing::from_samples(samples))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        let ms = |list: &[u64]| list.iter().map(|&n| Duration::from_millis(n)).collect();
        let odd = Timing::from_samples(ms(&[30, 10, 20]));
        assert_eq!((odd.median, odd.min, odd.max), (ms(&[20])[0], ms(&[10])[0], ms(&[30])[0]));
        let even = Timing::from_samples(ms(&[40, 10, 20, 30]));
        assert_eq!(even.median, Duration::from_millis(25));
    }
}
