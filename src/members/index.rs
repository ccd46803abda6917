//! The public member list without scanning the table per request, the way the catalogue does
//! it (`catalogue::index`): each app instance keeps the public members' region, themes,
//! domains and searchable text in memory, in "A–Z" order, and answers a list, its total, a
//! region's members and the counts per region in one pass over them. PostgreSQL supplies the
//! cards of the page shown.
//!
//! Freshness: `content_version` (bumped by triggers on members, their tags and the regions);
//! read first on every request, the copy is rebuilt when it moved.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::PgPool;

use super::queries::{self, Filters, MemberCard};
use super::{MemberKind, MemberStatus};
use crate::catalogue::index::Tags;
use crate::regions::queries as regions;
use crate::snapshot::{self, Snapshots, Versioned};
use crate::taxonomy::{self, Vocabulary};

#[derive(Default)]
pub struct MemberIndex {
    snapshots: Snapshots<Snapshot>,
}

struct Snapshot {
    version: i64,
    /// Rows in A–Z order (lower(name), id).
    ids: Vec<i64>,
    /// Region id per row (0 when none).
    region: Vec<i32>,
    themes: Tags,
    domains: Tags,
    /// `name`, `organisation` and `role` in lower case, separated by a newline.
    text: Vec<String>,
    region_ids: HashMap<String, i32>,
    /// Per region id its province and jeugdregio (0 when none).
    region_parents: Vec<(i32, i32)>,
}

impl Versioned for Snapshot {
    fn version(&self) -> i64 {
        self.version
    }
}

impl MemberIndex {
    async fn snapshot(&self, db: &PgPool) -> sqlx::Result<Arc<Snapshot>> {
        self.snapshots.get(db, || load(db)).await
    }

    /// One page of public members matching `filters`, A–Z, and how many match in all.
    pub async fn search(
        &self,
        db: &PgPool,
        filters: &Filters,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<(Vec<MemberCard>, i64)> {
        let snapshot = self.snapshot(db).await?;
        let (ids, total) = snapshot.find(filters, limit.max(0) as usize, offset.max(0) as usize);
        Ok((cards(db, &ids).await?, total))
    }

    /// Public members per region id (each counted for its own region only).
    pub async fn count_by_region(&self, db: &PgPool) -> sqlx::Result<Vec<i64>> {
        let snapshot = self.snapshot(db).await?;
        let mut counts = vec![0; snapshot.region_parents.len()];
        for &region in &snapshot.region {
            if let Some(count) = counts.get_mut(region as usize) {
                *count += 1;
            }
        }
        Ok(counts)
    }
}

impl Snapshot {
    fn find(&self, filters: &Filters, limit: usize, offset: usize) -> (Vec<i64>, i64) {
        let wanted = |tags: &Tags, slugs: &[String]| -> Option<Vec<bool>> {
            (!slugs.is_empty()).then(|| tags.terms.iter().map(|t| slugs.contains(&t.slug)).collect())
        };
        let themes = wanted(&self.themes, &filters.themes);
        let domains = wanted(&self.domains, &filters.domains);
        let regions: Option<Vec<bool>> = filters.region.as_ref().map(|slug| {
            let selected = self.region_ids.get(slug).copied().unwrap_or(-1);
            self.region_parents
                .iter()
                .enumerate()
                .map(|(id, &(province, jeugdregio))| {
                    id as i32 == selected || province == selected || jeugdregio == selected
                })
                .collect()
        });
        let needle = filters.q.as_ref().map(|q| q.to_lowercase()).filter(|q| !q.is_empty());

        let mut total = 0;
        let mut page = Vec::with_capacity(limit.min(100));
        for row in 0..self.ids.len() {
            if let Some(regions) = &regions
                && !regions.get(self.region[row] as usize).copied().unwrap_or(false)
            {
                continue;
            }
            if let Some(wanted) = &themes
                && !self.themes.of_row(row).iter().any(|&t| wanted[t as usize])
            {
                continue;
            }
            if let Some(wanted) = &domains
                && !self.domains.of_row(row).iter().any(|&t| wanted[t as usize])
            {
                continue;
            }
            if let Some(needle) = &needle
                && !self.text[row].split('\n').any(|part| part.contains(needle.as_str()))
            {
                continue;
            }
            if total as usize >= offset && page.len() < limit {
                page.push(self.ids[row]);
            }
            total += 1;
        }
        (page, total)
    }
}

/// The cards for the given members, in the given order.
async fn cards(db: &PgPool, ids: &[i64]) -> sqlx::Result<Vec<MemberCard>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as!(
        MemberCard,
        r#"SELECT m.slug, m.name, m.kind AS "kind: MemberKind", m.organisation, m.role, r.name AS "region_name?"
           FROM unnest($1::bigint[]) WITH ORDINALITY AS s(id, n) JOIN members m ON m.id = s.id
           LEFT JOIN regions r ON r.id = m.region_id ORDER BY s.n"#,
        ids,
    )
    .fetch_all(db)
    .await
}

/// Reads the public members at one consistent moment.
async fn load(db: &PgPool) -> sqlx::Result<Snapshot> {
    let (mut tx, version) = snapshot::read_consistent(db).await?;
    let rows = sqlx::query!(
        r#"SELECT id, region_id, lower(name || E'\n' || organisation || E'\n' || role) AS "haystack!" FROM members
           WHERE public_profile AND status = $1 ORDER BY lower(name), id"#,
        queries::PUBLIC as MemberStatus,
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut region = Vec::with_capacity(rows.len());
    let mut text = Vec::with_capacity(rows.len());
    for row in rows {
        ids.push(row.id);
        region.push(row.region_id.unwrap_or(0));
        text.push(row.haystack);
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
    let regions = regions::hierarchy(&mut *tx).await?;
    tx.commit().await?;

    Ok(Snapshot {
        version,
        themes: Tags::build(theme_terms, ids.len(), &row_of, &theme_links),
        domains: Tags::build(domain_terms, ids.len(), &row_of, &domain_links),
        ids,
        region,
        text,
        region_ids: regions.ids,
        region_parents: regions.parents,
    })
}
