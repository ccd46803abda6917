//! The catalogue's back office: editorial review of initiatives and the vocabularies
//! (themes, domains, levels, age groups) they are tagged with.

pub(crate) mod initiatives;
pub(crate) mod taxonomy;
