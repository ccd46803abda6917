pub mod assets;
pub mod facets;
pub mod filters;
pub mod layers;
pub mod page;
pub mod paging;
