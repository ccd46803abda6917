//! The `bredeblik` command: parses the command line and hands over to the library.

use std::process::ExitCode;

use bredeblik::config::Config;
use bredeblik::startup::{Application, shutdown_signal};
use bredeblik::{db, geo, seed, telemetry};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "bredeblik",
    version,
    about = "Het platform van het lerende netwerk Brede Blik in de jeugdzorg"
)]
#[command(after_help = "Configuratie via omgevingsvariabelen (of .env): DATABASE_URL, BIND_ADDR, BASE_URL, \
SMTP_URL, MAIL_FROM, SECRET_KEY, RUST_LOG, LOG_FORMAT. Zie README.md.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start de webserver (voert eerst de migraties uit)
    Serve,
    /// Voer de databasemigraties uit en laad de referentiegegevens (regio's)
    Migrate,
    /// Vul de database met demo-inhoud of met synthetische gegevens
    Seed {
        /// Demo-inhoud voor een levendige site (veilig om vaker uit te voeren)
        #[arg(long, conflicts_with = "synthetic")]
        demo: bool,
        /// N synthetische initiatieven en aandeelhouders voor schaaltests
        #[arg(long, value_name = "N")]
        synthetic: Option<i64>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("bredeblik: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    match run(cli.command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bredeblik: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let app = Application::build(config).await?;
            app.run_until(shutdown_signal()).await?;
        }
        Command::Migrate => {
            let pool = db::connect(&config.database_url, 2).await?;
            db::migrate(&pool).await?;
            geo::sync_reference_regions(&pool, &geo::Geo::load(&config.geo_dir)?).await?;
            println!("migraties uitgevoerd");
        }
        Command::Seed { demo, synthetic } => {
            let pool = db::connect(&config.database_url, 2).await?;
            db::migrate(&pool).await?;
            geo::sync_reference_regions(&pool, &geo::Geo::load(&config.geo_dir)?).await?;
            match (demo, synthetic) {
                (true, _) => {
                    seed::demo(&pool).await?;
                    println!("demo-inhoud staat klaar");
                }
                (false, Some(n)) => {
                    let started = std::time::Instant::now();
                    seed::synthetic(&pool, n).await?;
                    println!(
                        "{n} synthetische initiatieven en aandeelhouders toegevoegd in {:.1?}",
                        started.elapsed()
                    );
                }
                (false, None) => anyhow::bail!("kies --demo of --synthetic N"),
            }
        }
    }
    Ok(())
}
