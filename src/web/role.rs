//! The roles a user can have (`users.role`), in ascending order of power.

use serde::Serialize;

/// Roles in ascending order of power: each may do everything of the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Role {
    Aandeelhouder,
    Redacteur,
    Coordinator,
    Beheerder,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Aandeelhouder, Role::Redacteur, Role::Coordinator, Role::Beheerder];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Aandeelhouder => "aandeelhouder",
            Role::Redacteur => "redacteur",
            Role::Coordinator => "coordinator",
            Role::Beheerder => "beheerder",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Aandeelhouder => "Aandeelhouder",
            Role::Redacteur => "Redacteur",
            Role::Coordinator => "Coördinator",
            Role::Beheerder => "Beheerder",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        match value.trim().to_lowercase().as_str() {
            "aandeelhouder" => Some(Role::Aandeelhouder),
            "redacteur" => Some(Role::Redacteur),
            "coordinator" | "coördinator" => Some(Role::Coordinator),
            "beheerder" | "admin" => Some(Role::Beheerder),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
