//! The public member list without scanning the table per request, the way the catalogue does
//! it (`catalogue::index`): each app instance keeps the public members' region, themes,
//! domains (as row sets, `search::rows`) and searchable text (one string, searched at once) in
//! memory, in "A–Z" order, and answers a list, its total, a region's members and the counts
//! per region without a pass per member. PostgreSQL supplies the cards of the page shown.
//!
//! Freshness: `content_version` (bumped by triggers on members, their tags and the regions),
//! as the instance's `snapshot::ContentClock` gives it; the cards a snapshot has shown are kept
//! with it (`snapshot::Cards`).

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::{PgPool, Postgres, Transaction};

use super::queries::{self, Filters, MemberCard};
use super::{MemberKind, MemberStatus};
use crate::regions::queries as regions;
use crate::search::index::{Index, View};
use crate::search::rows::{self, RegionSets, RowSet, TermSets};
use crate::snapshot::Cards;
use crate::taxonomy::{self, Term, Vocabulary};

pub type MemberIndex = Index<Snapshot>;

pub struct Snapshot {
    /// Rows in A–Z order (lower(name), id).
    ids: Vec<i64>,
    themes: TermSets,
    domains: TermSets,
    /// Per row `name`, `organisation` and `role` in lower case, separated by a newline; the
    /// rows one after the other, each ended by a newline.
    text: String,
    /// Where each row's text starts in `text`.
    text_starts: Vec<u32>,
    /// The rows of members who accept messages.
    contactable: RowSet,
    regions: RegionSets,
    /// The cards shown so far.
    cards: Cards<MemberCard>,
}

impl MemberIndex {
    /// One page of public members matching `filters`, A–Z, and how many match in all.
    pub async fn search(
        &self,
        db: &PgPool,
        filters: &Filters,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<(Vec<Arc<MemberCard>>, i64)> {
        let listed = self.list(db, filters, limit, offset).await?;
        Ok((listed.cards, listed.total))
    }

    /// `search` with what the list page shows around it: the facets' terms and the content
    /// version the answer was computed at; no round trip to PostgreSQL when the snapshot is
    /// current and its cards were shown before.
    pub async fn list(
        &self,
        db: &PgPool,
        filters: &Filters,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<Listed> {
        let (limit, offset) = (limit.max(0) as usize, offset.max(0) as usize);
        let snapshot = self.snapshot(db).await?;
        let (ids, total) = snapshot.find(filters, limit, offset);
        let cards = snapshot.cards.get(&ids, |missing| cards(db, missing)).await?;
        Ok(Listed {
            cards,
            total,
            version: snapshot.version,
            themes: snapshot.themes.terms.clone(),
            domains: snapshot.domains.terms.clone(),
        })
    }

    /// Public members per region id (each counted for its own region only).
    pub async fn count_by_region(&self, db: &PgPool) -> sqlx::Result<Vec<i64>> {
        Ok(self.snapshot(db).await?.regions.own_counts())
    }
}

/// A page of the member list (see `MemberIndex::list`).
pub struct Listed {
    pub cards: Vec<Arc<MemberCard>>,
    pub total: i64,
    /// The `content_version` the answer is at least as new as.
    pub version: i64,
    /// The terms of the theme and the domain facet.
    pub themes: Vec<Term>,
    pub domains: Vec<Term>,
}

impl Snapshot {
    /// The rows whose name, organisation or role contains `needle` (lower case): one substring
    /// search through all rows' text at once, each match mapped to its row.
    fn text_matches(&self, needle: &str) -> RowSet {
        let mut found = RowSet::empty(self.ids.len());
        // No part holds a newline, and query strings are single-line (`web::input`).
        if needle.contains('\n') {
            return found;
        }
        for at in memchr::memmem::find_iter(self.text.as_bytes(), needle.as_bytes()) {
            let row = self.text_starts.partition_point(|&start| start as usize <= at) - 1;
            found.insert(row as u32);
        }
        found
    }

    fn find(&self, filters: &Filters, limit: usize, offset: usize) -> (Vec<i64>, i64) {
        let len = self.ids.len();
        let mut base = filters.region.as_ref().map(|slug| self.regions.rows_in(slug, len));
        if let Some(needle) = filters.q.as_ref().map(|q| q.to_lowercase()).filter(|q| !q.is_empty()) {
            let found = self.text_matches(&needle);
            match &mut base {
                Some(base) => base.and_with(&found),
                None => base = Some(found),
            }
        }
        let facets = [
            (&self.themes, self.themes.any_of(&filters.themes)),
            (&self.domains, self.domains.any_of(&filters.domains)),
        ];
        if filters.contactable {
            match &mut base {
                Some(base) => base.and_with(&self.contactable),
                None => base = Some(self.contactable.clone()),
            }
        }
        let matched = rows::filter(len, base, &facets, false).matched;
        let total = matched.count() as i64;
        if filters.first.is_empty() {
            let page = matched.page(offset, limit).into_iter().map(|row| self.ids[row as usize]).collect();
            return (page, total);
        }
        // The given members first (those that match), then the rest A–Z.
        let row_of: HashMap<i64, u32> = filters
            .first
            .iter()
            .filter_map(|id| self.ids.iter().position(|i| i == id).map(|row| (*id, row as u32)))
            .collect();
        let first: Vec<u32> = filters
            .first
            .iter()
            .filter_map(|id| row_of.get(id).copied())
            .filter(|row| matched.contains(*row))
            .collect();
        let rest = RowSet::from_rows(len, matched.iter().filter(|row| !first.contains(row)));
        let mut page: Vec<u32> = first.iter().skip(offset).take(limit).copied().collect();
        let rest_offset = offset.saturating_sub(first.len());
        page.extend(rest.page(rest_offset, limit - page.len()));
        (page.into_iter().map(|row| self.ids[row as usize]).collect(), total)
    }
}

/// The cards for the given members, each with its id, in the given order.
async fn cards(db: &PgPool, ids: Vec<i64>) -> sqlx::Result<Vec<(i64, MemberCard)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        r#"SELECT m.id, m.slug, m.name, m.kind AS "kind: MemberKind", m.organisation, m.role, r.name AS "region_name?"
           FROM unnest($1::bigint[]) WITH ORDINALITY AS s(id, n) JOIN members m ON m.id = s.id
           LEFT JOIN regions r ON r.id = m.region_id ORDER BY s.n"#,
        &ids,
    )
    .fetch_all(db)
    .await?;
    let cards = rows
        .into_iter()
        .map(|r| {
            let card = MemberCard {
                slug: r.slug,
                name: r.name,
                kind: r.kind,
                organisation: r.organisation,
                role: r.role,
                region_name: r.region_name,
            };
            (r.id, card)
        })
        .collect();
    Ok(cards)
}

impl View for Snapshot {
    const NAME: &'static str = "members";

    /// Reads the public members.
    async fn load(mut tx: Transaction<'static, Postgres>) -> sqlx::Result<Self> {
        let rows = sqlx::query!(
            r#"SELECT id, region_id, accepts_messages, lower(name || E'\n' || organisation || E'\n' || role) AS "haystack!" FROM members
               WHERE public_profile AND status = $1 ORDER BY lower(name), id"#,
            queries::PUBLIC as MemberStatus,
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut ids = Vec::with_capacity(rows.len());
        let mut region = Vec::with_capacity(rows.len());
        let mut text = String::new();
        let mut text_starts = Vec::with_capacity(rows.len());
        let mut contactable = Vec::new();
        for (n, row) in rows.into_iter().enumerate() {
            if row.accepts_messages {
                contactable.push(n as u32);
            }
            ids.push(row.id);
            region.push(row.region_id.unwrap_or(0));
            text_starts.push(text.len() as u32);
            text.push_str(&row.haystack);
            text.push('\n');
        }
        let row_of: HashMap<i64, u32> = ids.iter().enumerate().map(|(row, id)| (*id, row as u32)).collect();

        let theme_terms = taxonomy::all(&mut *tx, Vocabulary::Theme).await?;
        let domain_terms = taxonomy::all(&mut *tx, Vocabulary::Domain).await?;
        let mut theme_links = Vec::new();
        let mut domain_links = Vec::new();
        let pairs = sqlx::query!(
            r#"SELECT true AS "theme!", member_id AS "member!", theme_id AS "term!" FROM member_themes
               UNION ALL SELECT false, member_id, domain_id FROM member_domains"#
        )
        .fetch_all(&mut *tx)
        .await?;
        for pair in pairs {
            let links = if pair.theme { &mut theme_links } else { &mut domain_links };
            links.push((pair.member, pair.term));
        }
        let hierarchy = regions::hierarchy(&mut *tx).await?;
        tx.commit().await?;

        Ok(Snapshot {
            themes: TermSets::build(theme_terms, ids.len(), &row_of, &theme_links),
            domains: TermSets::build(domain_terms, ids.len(), &row_of, &domain_links),
            regions: RegionSets::build(hierarchy, &region),
            contactable: RowSet::from_rows(ids.len(), contactable),
            ids,
            text,
            text_starts,
            cards: Cards::default(),
        })
    }

    fn rows(&self) -> usize {
        self.ids.len()
    }
}
