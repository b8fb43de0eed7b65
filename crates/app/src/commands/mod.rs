//! One module per subcommand; [`run`] dispatches.

mod apps;
mod connect;
mod correct;
mod expenses;
mod explain;
mod import;
mod rematch;
mod report;
mod rules;
mod sync;

use crate::cli::{Cli, Command};
use crate::context;

pub(crate) async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Apps(args) => return apps::run(args),
        // Signs in before it opens (and perhaps creates) the database, so
        // that a refused sign-in leaves no empty database behind.
        Command::Connect(command) => return connect::run(cli.db.as_deref(), command).await,
        _ => {}
    }

    let store = context::open_store(cli.db.as_deref()).await?;
    match cli.command {
        Command::Import(args) => import::run(&store, &args, cli.quiet).await,
        Command::Report(args) => report::run(&store, &args).await,
        Command::Expenses(args) => match &args.action {
            Some(action) => correct::run(&store, action, cli.quiet).await,
            None => expenses::run(&store, &args).await,
        },
        Command::Explain(args) => explain::run(&store, &args).await,
        Command::Rules(command) => rules::run(&store, command, cli.quiet).await,
        Command::Match => rematch::run(&store, cli.quiet).await,
        Command::Apps(_) | Command::Connect(_) => Ok(()),
        Command::Sync(args) => sync::run(&store, &args, cli.quiet).await,
        Command::Connections { format } => connect::list(&store, format).await,
        Command::Disconnect { source } => connect::disconnect(&store, source).await,
    }
}
