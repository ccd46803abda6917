//! Brede Blik: the platform of a national learning network in Dutch youth care.
//!
//! `main.rs` only parses the command line; everything else starts here. Features live in
//! their own modules, each with its routes, handlers, queries and templates together.

pub mod accounts;
pub mod admin;
pub mod api;
pub mod audit;
pub mod catalogue;
pub mod config;
pub mod db;
pub mod error;
pub mod geo;
pub mod mail;
pub mod media;
pub mod members;
pub mod news;
pub mod newsletter;
pub mod pages;
pub mod ratelimit;
pub mod regions;
pub mod search;
pub mod seed;
pub mod startup;
pub mod state;
pub mod taxonomy;
pub mod telemetry;
pub mod text;
mod text_enum;
pub mod tokens;
pub mod web;
