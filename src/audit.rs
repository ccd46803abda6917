//! The audit log: every state-changing back-office action, with who, what, when and the
//! record before and after. Written in the same transaction as the change itself.

use serde_json::Value;

use crate::text_enum::text_enum;
use crate::web::auth::SessionUser;

text_enum! {
    /// `audit_log.target_type`: what kind of record an entry is about (the vocabularies keep
    /// their table names).
    pub enum Target {
        Aandeelhouder = "aandeelhouder", "Aandeelhouder";
        Aanmelding = "aanmelding", "Aanmelding voor een bijeenkomst";
        InspiratieregioAanmelding = "aanmelding inspiratieregio", "Aanmelding inspiratieregio";
        Abonnee = "abonnee", "Abonnee";
        Bijeenkomst = "bijeenkomst", "Bijeenkomst";
        Gebruiker = "gebruiker", "Gebruiker";
        Initiatief = "initiatief", "Initiatief";
        Instelling = "instelling", "Instelling";
        Les = "les", "Les";
        Melding = "melding bericht", "Melding van een bericht";
        Nieuwsbericht = "nieuwsbericht", "Nieuwsbericht";
        Nieuwsbrief = "nieuwsbrief", "Nieuwsbrief";
        Publicatie = "publicatie", "Publicatie";
        Vraagstuk = "vraagstuk", "Vraagstuk";
        Thema = "themes", "Thema";
        Domein = "domains", "Domein";
        Niveau = "levels", "Niveau";
        Leeftijdsgroep = "age_groups", "Leeftijdsgroep";
    }
}

pub struct Entry<'a> {
    pub actor: Option<&'a SessionUser>,
    pub action: &'a str,
    pub target_type: Target,
    pub target_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Entry<'a> {
    /// An entry by `actor`, without before and after; add them with [`Entry::before`] and
    /// [`Entry::after`]. (Only the command line writes entries without an actor, as a literal.)
    pub fn new(
        actor: &'a SessionUser,
        action: &'a str,
        target_type: Target,
        target_id: impl ToString,
    ) -> Self {
        Entry {
            actor: Some(actor),
            action,
            target_type,
            target_id: target_id.to_string(),
            before: None,
            after: None,
        }
    }

    /// The record as it was.
    pub fn before(mut self, before: Value) -> Self {
        self.before = Some(before);
        self
    }

    /// The record as it became.
    pub fn after(mut self, after: Value) -> Self {
        self.after = Some(after);
        self
    }

    /// A decision's before and after: the status it came from, the one it led to, the message.
    pub fn decision(self, from: impl serde::Serialize, to: impl serde::Serialize, message: &str) -> Self {
        self.before(serde_json::json!({ "status": from }))
            .after(serde_json::json!({ "status": to, "bericht": message }))
    }

    /// Writes the entry, in the transaction of the change.
    pub async fn record(self, executor: impl sqlx::PgExecutor<'_>) -> sqlx::Result<()> {
        record(executor, self).await
    }
}

pub async fn record(executor: impl sqlx::PgExecutor<'_>, entry: Entry<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO audit_log (actor_id, actor_email, action, target_type, target_id, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        entry.actor.map(|a| a.id),
        entry.actor.map(|a| a.email.as_str()).unwrap_or("systeem"),
        entry.action,
        entry.target_type as Target,
        entry.target_id,
        entry.before,
        entry.after,
    )
    .execute(executor)
    .await?;
    Ok(())
}
