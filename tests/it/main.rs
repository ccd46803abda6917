//! One integration-test binary (faster to build than one per file). Every test starts the
//! real application on a free port against a fresh PostgreSQL database.

mod helpers;

mod accounts;
mod api;
mod binary;
mod campaigns;
mod catalogue;
mod editorial;
mod events;
mod foundation;
mod hostile;
mod hygiene;
mod joining;
mod kennisbank;
mod mail;
mod media;
mod newsletter;
mod opbrengsten;
mod outage;
mod outbox;
mod page_cache;
mod process;
mod proxy;
mod sending;
mod verbinden;
mod vraagstukken;
mod vraagstukken_curation;
