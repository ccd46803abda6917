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
        /// N synthetische initiatieven, aandeelhouders en publicaties voor schaaltests
        #[arg(long, value_name = "N")]
        synthetic: Option<i64>,
    },
    /// Beheer van accounts
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Maak een account aan (of geef een bestaand account deze rol). Op een terminal vraagt
    /// het om een wachtwoord; anders drukt het een eenmalige link af om er een te kiezen.
    Create {
        #[arg(long)]
        email: String,
        /// aandeelhouder, redacteur, coordinator of beheerder
        #[arg(long, default_value = bredeblik::web::auth::Role::Beheerder.as_str())]
        role: String,
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
                        "{n} synthetische initiatieven, aandeelhouders en publicaties toegevoegd in {:.1?}",
                        started.elapsed()
                    );
                }
                (false, None) => anyhow::bail!("kies --demo of --synthetic N"),
            }
        }
        Command::Admin { command: AdminCommand::Create { email, role } } => {
            let pool = db::connect(&config.database_url, 2).await?;
            db::migrate(&pool).await?;
            admin_create(&pool, &config, &email, &role).await?;
        }
    }
    Ok(())
}

async fn admin_create(pool: &sqlx::PgPool, config: &Config, email: &str, role: &str) -> anyhow::Result<()> {
    use std::io::IsTerminal;

    use bredeblik::accounts::{password, users};
    use bredeblik::web::auth::Role;

    let role = Role::parse(role).ok_or_else(|| {
        anyhow::anyhow!("onbekende rol '{role}': kies aandeelhouder, redacteur, coordinator of beheerder")
    })?;
    let address = bredeblik::mail::EmailAddress::parse(email)
        .map_err(|_| anyhow::anyhow!("'{email}' is geen geldig e-mailadres"))?;
    let email = address.as_str();
    let mut tx = pool.begin().await?;
    let (id, _) = users::create(&mut *tx, email, role).await?;
    users::set_role(&mut *tx, id, role, true).await?;
    bredeblik::audit::record(
        &mut *tx,
        bredeblik::audit::Entry {
            actor: None,
            action: "gebruiker aangemaakt via de opdrachtregel",
            target_type: bredeblik::audit::Target::Gebruiker,
            target_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "email": email, "rol": role.as_str() })),
        },
    )
    .await?;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Wachtwoord: ")?;
        let second = rpassword::prompt_password("Herhaal het wachtwoord: ")?;
        anyhow::ensure!(first == second, "de wachtwoorden zijn niet gelijk");
        if let Some(problem) = password::policy_problem(&first, email) {
            anyhow::bail!("{problem}");
        }
        let hash = password::hash(first).await?;
        users::set_password_hash(&mut *tx, id, &hash).await?;
        tx.commit().await?;
        println!("{email} is {} en kan inloggen op {}", role.label(), config.absolute("/inloggen"));
    } else {
        let token = users::issue_token(&mut *tx, id, users::TokenPurpose::Wachtwoord, 24).await?;
        tx.commit().await?;
        println!("{email} is {}. Kies binnen 24 uur een wachtwoord via:", role.label());
        println!("{}", config.absolute(&format!("/wachtwoord-herstellen/{token}")));
    }
    Ok(())
}
