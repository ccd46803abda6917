//! The web layer under every feature: request context and extractors, pages and their
//! layout, error pages, limits and list helpers. Nothing here imports a feature.

pub(crate) mod assets;
pub mod auth;
pub(crate) mod client;
pub(crate) mod context;
pub(crate) mod cookies;
pub mod csrf;
pub(crate) mod facets;
pub(crate) mod filters;
pub(crate) mod form;
pub mod input;
pub(crate) mod layers;
pub(crate) mod limits;
pub(crate) mod notice;
pub(crate) mod page;
pub(crate) mod page_cache;
pub(crate) mod paging;
pub(crate) mod path_id;
pub(crate) mod role;
pub(crate) mod token_link;
pub(crate) mod typed_form;
