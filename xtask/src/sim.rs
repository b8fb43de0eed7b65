//! `cargo xtask sim`: runs the Concur simulator on loopback until Ctrl-C and
//! prints what spendmap needs to connect to it.

use std::str::FromStr;

use anyhow::{Context, bail};
use spendmap_concur_sim::{Faults, SimConfig, Simulator, Tenant};

const USAGE: &str = "usage: cargo xtask sim [--port N] [--reports N --entries M] \
    [--latency-ms N] [--rate-limit-every N] [--retry-after S] [--unavailable-every N] \
    [--drop-every N] [--token-expires-after N]";

const HELP: &str = "Serves a Concur tenant on 127.0.0.1 until Ctrl-C.
  --port N                  listen on port N (default 8479; 0 picks a free one)
  --reports N --entries M   a generated tenant of N reports with M entries each
                            (default: the small fixture tenant)
  --latency-ms N            every API request waits N ms first
  --rate-limit-every N      every Nth API request answers 429
  --retry-after S           with Retry-After: S on those 429s
  --unavailable-every N     every Nth API request answers 503
  --drop-every N            every Nth API request drops the connection mid-body
  --token-expires-after N   access tokens stop working after N API calls";

/// The port when none is given: fixed, so that a stored connection still
/// works after the simulator restarts.
const DEFAULT_PORT: u16 = 8479;

/// Entries per generated report when only `--reports` is given; the
/// benchmark shape.
const DEFAULT_ENTRIES: usize = 25;

/// Fixed so that two demo runs serve the same generated data.
const GENERATED_SEED: u64 = 2026;

#[derive(Default)]
struct Options {
    port: u16,
    reports: Option<usize>,
    entries: Option<usize>,
    faults: Faults,
}

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{USAGE}\n\n{HELP}");
        return Ok(());
    }
    let options = parse(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the tokio runtime")?;
    runtime.block_on(serve(options))
}

fn parse(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options { port: DEFAULT_PORT, ..Options::default() };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let text = args.next().with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        let faults = &mut options.faults;
        match flag.as_str() {
            "--port" => options.port = number(flag, text)?,
            "--reports" => options.reports = Some(number(flag, text)?),
            "--entries" => options.entries = Some(number(flag, text)?),
            "--latency-ms" => faults.latency_ms = number(flag, text)?,
            "--rate-limit-every" => faults.rate_limit_every = number(flag, text)?,
            "--retry-after" => faults.retry_after = Some(number(flag, text)?),
            "--unavailable-every" => faults.unavailable_every = number(flag, text)?,
            "--drop-every" => faults.drop_every = number(flag, text)?,
            "--token-expires-after" => faults.token_expires_after_calls = number(flag, text)?,
            _ => bail!("unknown option {flag}\n{USAGE}"),
        }
    }
    if options.entries.is_some() && options.reports.is_none() {
        bail!("--entries only applies to a generated tenant; add --reports\n{USAGE}");
    }
    Ok(options)
}

fn number<T: FromStr>(flag: &str, text: &str) -> anyhow::Result<T> {
    text.parse().ok().with_context(|| format!("{flag} wants a whole number, not {text:?}"))
}

async fn serve(options: Options) -> anyhow::Result<()> {
    let (mut tenant, source) = match options.reports {
        Some(reports) => {
            let entries = options.entries.unwrap_or(DEFAULT_ENTRIES);
            (Tenant::generated(reports, entries, GENERATED_SEED), "generated")
        }
        None => (Tenant::fixture(), "fixture"),
    };
    // So that a first sync looking back a year always finds the data.
    tenant.rebase_to_today();
    let summary = format!(
        "{} reports, {} entries ({source}, latest change yesterday)",
        tenant.reports.len(),
        tenant.entry_count()
    );

    let config = SimConfig { faults: options.faults.clone(), ..SimConfig::default() };
    let sim =
        Simulator::start_on(config.clone(), tenant, options.port).await.with_context(|| {
            format!("could not listen on 127.0.0.1:{} (another --port, or 0 for any)", options.port)
        })?;
    print_connection(&sim, &config, &summary);

    tokio::signal::ctrl_c().await.context("could not wait for Ctrl-C")?;
    println!("stopping");
    sim.shutdown().await;
    Ok(())
}

fn print_connection(sim: &Simulator, config: &SimConfig, summary: &str) {
    let base = sim.base_url();
    // The default users' first entry is the Web Services Administrator.
    let (admin, password) = ("wsadmin@example.test", "sim-password-1");
    println!("Concur simulator running; Ctrl-C stops it.");
    println!("  base URI       {base}");
    println!("  wrong-DC URI   {} (password grants there answer code 16)", sim.wrong_dc_url());
    println!("  client id      {}", config.client_id);
    println!("  client secret  {}", config.client_secret);
    println!("  admin user     {admin}");
    println!("  admin password {password}");
    println!("  data           {summary}");
    println!("  faults         {}", describe(&config.faults));
    println!();
    println!("Connect spendmap to it (in another terminal; these secrets are the");
    println!("simulator's own, invented ones, so typing them on a command line is fine):");
    println!("  export CONCUR_CLIENT_SECRET={} CONCUR_PASSWORD={password}", config.client_secret);
    println!(
        "  cargo run -p spendmap -- --db spendmap-sim.db connect concur --base-uri {base} \
         --client-id {} --username {admin}",
        config.client_id
    );
    println!("  cargo run -p spendmap -- --db spendmap-sim.db sync");
    println!("  cargo run -p spendmap -- --db spendmap-sim.db report");
}

/// The faults switched on, in the flags' words.
fn describe(faults: &Faults) -> String {
    let every = |n: u32, what: &str| (n > 0).then(|| format!("{what} every {n} requests"));
    let retry_after =
        faults.retry_after.map(|s| format!(" (Retry-After: {s})")).unwrap_or_default();
    let parts: Vec<String> = [
        every(faults.rate_limit_every, "429").map(|text| text + &retry_after),
        every(faults.unavailable_every, "503"),
        every(faults.drop_every, "dropped connection"),
        (faults.latency_ms > 0).then(|| format!("{} ms latency", faults.latency_ms)),
        every(faults.token_expires_after_calls, "access token expiry"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() { "none".to_owned() } else { parts.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn flags_set_options() {
        let options = parse(&args("--port 9100 --reports 1000 --retry-after 0 --drop-every 7"))
            .expect("valid flags");
        assert_eq!(options.port, 9100);
        assert_eq!(options.reports, Some(1000));
        assert_eq!(options.faults.retry_after, Some(0));
        assert_eq!(options.faults.drop_every, 7);
    }

    #[test]
    fn bad_flags_are_refused() {
        assert!(parse(&args("--port")).is_err());
        assert!(parse(&args("--port many")).is_err());
        assert!(parse(&args("--colour red")).is_err());
        assert!(parse(&args("--entries 5")).is_err());
    }
}
