//! Brede Blik: the platform of a national learning network in Dutch youth care.
//!
//! `main.rs` only parses the command line; everything else starts here. Features live in
//! their own modules, each with its routes, handlers, queries and templates together.

pub mod accounts;
pub mod admin;
pub(crate) mod api;
pub mod audit;
pub(crate) mod catalogue;
pub mod config;
pub mod db;
pub(crate) mod error;
pub mod events;
pub mod geo;
pub mod kennisbank;
pub(crate) mod linked;
pub mod mail;
pub mod media;
pub(crate) mod members;
pub(crate) mod news;
pub mod newsletter;
pub(crate) mod opbrengsten;
pub(crate) mod pages;
pub(crate) mod ratelimit;
pub(crate) mod regions;
pub(crate) mod review;
pub(crate) mod search;
pub mod seed;
pub(crate) mod snapshot;
pub mod startup;
pub(crate) mod state;
pub(crate) mod taxonomy;
pub mod telemetry;
pub mod text;
mod text_enum;
pub mod tokens;
pub mod verbinden;
pub(crate) mod vraagstukken;
pub mod web;
