//! Statuses and kinds: closed sets of values that the database stores as `text` with a CHECK
//! constraint (see the migrations). Each feature declares its own with [`text_enum!`], which
//! gives the Rust enum, its mapping to PostgreSQL and serde (the stored value, exactly), its
//! stored value (`as_str`), its Dutch label (`label`, also `Display`) and `parse`.
//!
//! In checked queries, bind a value with a type override (`$1` ← `status as InitiativeStatus`)
//! and read a column with `status AS "status: InitiativeStatus"`.

/// What every [`text_enum!`] type offers, for code that works on any of them (a list index
/// that makes a facet of a status or kind: `search::rows::enum_facet`).
pub trait TextEnum: Copy + PartialEq + 'static {
    /// Every value, in the order of the declaration.
    fn all() -> &'static [Self];
    /// The value as stored.
    fn as_str(self) -> &'static str;
    /// The Dutch name shown to people.
    fn label(self) -> &'static str;
}

/// What a select over a [`TextEnum`] (the template macro `f::options`) compares each value with:
/// a submitted value (`String`, `&str`) or a chosen one (`Option<T>`).
pub trait Selected {
    /// The stored value that is selected, or `""` for none.
    fn selected(&self) -> &str;
}

impl Selected for String {
    fn selected(&self) -> &str {
        self
    }
}

impl Selected for &str {
    fn selected(&self) -> &str {
        self
    }
}

impl<T: TextEnum> Selected for Option<T> {
    fn selected(&self) -> &str {
        self.map_or("", T::as_str)
    }
}

/// Whether `value` is the one `current` selects (called from the template macro `f::options`).
pub fn is_selected<S: Selected + ?Sized>(current: &S, value: &str) -> bool {
    current.selected() == value
}

/// Declares a status or kind enum; each variant names its stored value and its Dutch label:
///
/// ```ignore
/// text_enum! {
///     /// Where an initiative is in its life.
///     pub enum InitiativeStatus {
///         Concept = "concept", "Concept";
///         Gepubliceerd = "gepubliceerd", "Gepubliceerd";
///     }
/// }
/// ```
///
/// One invocation may declare several enums, one after the other.
macro_rules! text_enum {
    (
        @one
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $value:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        // Every type gets the whole API below; not every type uses all of it yet.
        #[allow(dead_code)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type, serde::Serialize, serde::Deserialize)]
        #[sqlx(type_name = "text")]
        $vis enum $name {
            $( $(#[$variant_meta])* #[sqlx(rename = $value)] #[serde(rename = $value)] $variant, )+
        }

        #[allow(dead_code)]
        impl $name {
            /// Every value, in the order of the declaration.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as stored in the database and sent in forms.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)+
                }
            }

            /// The Dutch name shown to people.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            /// The value for a stored (or submitted) string, if it is one.
            pub fn parse(value: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == value)
            }
        }

        impl $crate::text_enum::TextEnum for $name {
            fn all() -> &'static [Self] {
                $name::ALL
            }
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
    (
        $(
            $(#[$meta:meta])*
            $vis:vis enum $name:ident {
                $( $(#[$variant_meta:meta])* $variant:ident = $value:literal, $label:literal; )+
            }
        )+
    ) => {
        $(
            $crate::text_enum::text_enum!(@one
                $(#[$meta])*
                $vis enum $name {
                    $( $(#[$variant_meta])* $variant = $value, $label; )+
                }
            );
        )+
    };
}

pub(crate) use text_enum;
