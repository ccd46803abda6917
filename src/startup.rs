//! Builds the application on a listener (port 0 allowed, so tests start the real thing) and
//! runs it until SIGTERM or Ctrl-C, finishing the requests in flight.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::serve::ListenerExt;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::catalogue::index::CatalogueIndex;
use crate::config::Config;
use crate::error::AppError;
use crate::events::index::EventIndex;
use crate::geo::{self, Geo};
use crate::kennisbank::index::PublicationIndex;
use crate::members::index::MemberIndex;
use crate::opbrengsten::index::LessonIndex;
use crate::snapshot::ContentClock;
use crate::state::AppState;
use crate::vraagstukken::index::VraagstukIndex;
use crate::web::assets::{self, Assets};
use crate::web::context;
use crate::web::layers::{self, REQUEST_ID, RandomRequestId};
use crate::web::limits::{BODY_LIMIT, UPLOAD_LIMIT};
use crate::web::page_cache::{self, PageCache};
use crate::{
    accounts, admin, api, catalogue, db, events, mail, media, members, news, newsletter, pages, regions,
    search,
};

/// No request may hold a worker (or a graceful shutdown) longer than this.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(pages::router())
        .merge(catalogue::router())
        .merge(crate::kennisbank::router())
        .merge(regions::router())
        .merge(members::router())
        .merge(news::router())
        .merge(events::router())
        .merge(crate::vraagstukken::router())
        .merge(crate::opbrengsten::router())
        .merge(crate::verbinden::router())
        .merge(newsletter::router())
        .merge(search::router())
        .merge(accounts::router())
        .merge(api::router())
        .merge(media::router())
        .merge(admin::router())
        .route("/static/{*path}", get(assets::serve))
        .fallback(|| async { AppError::NotFound });

    // Outermost first: the request id exists before the trace span that records it, and the
    // error pages see every status the inner layers produce.
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, RandomRequestId))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    tracing::info_span!(
                        "request",
                        request_id = %layers::request_id_of(request),
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        // Before compression: it keeps pages with their security headers and compresses them
        // itself, once.
        .layer(from_fn_with_state(state.clone(), page_cache::layer))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(state.clone(), layers::security_headers))
        .layer(from_fn_with_state(state.clone(), layers::error_pages))
        .layer(from_fn_with_state(state.clone(), context::context))
        .layer(from_fn_with_state(state.clone(), accounts::session::identify))
        .layer(CatchPanicLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
        // Refuses an oversized Content-Length before routing; DefaultBodyLimit stops a
        // chunked body that grows too large while it is read. `context` holds every body but
        // a multipart upload to BODY_LIMIT.
        .layer(RequestBodyLimitLayer::new(UPLOAD_LIMIT))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));

    routes.layer(layers).with_state(state)
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects, migrates, loads reference data and binds `config.bind_addr`.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let pool = db::connect(&config.database_url, 20).await?;
        Self::build_with_pool(config, pool).await
    }

    pub async fn build_with_pool(config: Config, pool: PgPool) -> anyhow::Result<Self> {
        db::migrate(&pool).await?;
        let geo = Geo::load(&config.geo_dir)?;
        geo::sync_reference_regions(&pool, &geo).await?;
        let assets = Assets::load(&config.static_dir)?;
        let listener = TcpListener::bind(config.bind_addr)
            .await
            .map_err(|e| anyhow::anyhow!("kan BIND_ADDR {} niet openen: {e}", config.bind_addr))?;
        let mut config = config;
        // Bound to port 0 (tests): links in pages and mails must name the real port.
        if config.base_url.port() == Some(0) {
            let _ = config.base_url.set_port(Some(listener.local_addr()?.port()));
        }
        let page_cache_mb = config.page_cache_mb;
        let clock = Arc::new(ContentClock::default());
        let state = AppState {
            db: pool,
            config: Arc::new(config),
            assets,
            geo: Arc::new(geo),
            catalogue: Arc::new(CatalogueIndex::new(clock.clone())),
            publications: Arc::new(PublicationIndex::new(clock.clone())),
            vraagstukken: Arc::new(VraagstukIndex::new(clock.clone())),
            lessons: Arc::new(LessonIndex::new(clock.clone())),
            events: Arc::new(EventIndex::new(clock.clone())),
            members: Arc::new(MemberIndex::new(clock.clone())),
            pages: Arc::new(PageCache::new(page_cache_mb, clock)),
        };
        Ok(Self { listener, state })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let app = router(self.state.clone());
        tracing::info!(address = %self.listener.local_addr()?, "Brede Blik luistert");
        let (stop_worker, stopped) = tokio::sync::watch::channel(false);
        let config = (*self.state.config).clone();
        let worker = tokio::spawn(mail::worker::run(self.state.db.clone(), config.clone(), stopped.clone()));
        let events_worker =
            tokio::spawn(events::worker::run(self.state.db.clone(), config.clone(), stopped.clone()));
        let senders: Vec<_> = (0..config.newsletter_connections)
            .map(|_| {
                tokio::spawn(newsletter::sending::run(self.state.db.clone(), config.clone(), stopped.clone()))
            })
            .collect();
        let links = tokio::spawn(crate::kennisbank::links::run(
            self.state.db.clone(),
            config.absolute("/"),
            stopped.clone(),
        ));
        // Each response goes out at once (as nginx's `tcp_nodelay on`), not held back by Nagle's
        // algorithm until the client acknowledges an earlier segment.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::debug!(error = %err, "TCP_NODELAY not set");
            }
        });
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await?;
        let _ = stop_worker.send(true);
        let _ = worker.await;
        let _ = events_worker.await;
        let _ = links.await;
        for sender in senders {
            let _ = sender.await;
        }
        self.state.db.close().await;
        Ok(())
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("afsluiten: lopende verzoeken worden afgemaakt");
}
