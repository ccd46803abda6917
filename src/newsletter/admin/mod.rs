//! The newsletter's back office: composing and sending campaigns, and the subscriber list.

pub(crate) mod campaigns;
pub(crate) mod subscribers;
