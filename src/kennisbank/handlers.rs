//! `/kennisbank`: the list with search and facets, a page per publication, and references in
//! RIS, BibTeX and CSL-JSON per record and for a search result.

use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::cite::{self, Citable};
use super::queries::{self, Card, Filters, Link, Publication, Sort};
use super::status::{AuthorKind, PublicationKind};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::taxonomy::Term;
use crate::text;
use crate::vraagstukken::queries as obstacles;
use crate::web::facets::{Facet, FilterBar, RegionSelect};
use crate::web::filters::QueryParams;
use crate::web::page::{Html, Page};
use crate::web::paging::{self, Paging};

const PER_PAGE: usize = 20;
/// The most records one export of a search result holds.
pub const EXPORT_MAX: usize = 1_000;

#[derive(Template)]
#[template(path = "kennisbank/list.html")]
pub struct ListTemplate {
    page: Page,
    q: String,
    sort: Sort,
    facets: Vec<Facet>,
    /// The facets partial also offers a region selector; the kennisbank has none.
    regions: RegionSelect,
    cards: Vec<Card>,
    paging: Paging,
    base_query: String,
    any_filter: bool,
}

impl ListTemplate {
    pub fn page_url(&self, number: impl std::fmt::Display) -> String {
        paging::page_url("/kennisbank", &self.base_query, number)
    }

    /// The address of this result's export in `extension`'s format.
    pub fn export_url(&self, extension: &str) -> String {
        if self.base_query.is_empty() {
            format!("/kennisbank/export.{extension}")
        } else {
            format!("/kennisbank/export.{extension}?{}", self.base_query)
        }
    }
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    let filters = Filters::from_params(&params);
    let requested = Paging::new(params.page(), PER_PAGE as i64, 0);
    let found = state.publications.search(&state.db, &filters, PER_PAGE, requested.offset() as usize).await?;
    let paging = Paging::new(params.page(), PER_PAGE as i64, found.total);
    let cards = queries::cards(&state.db, &found.ids, filters.q.as_deref()).await?;

    let FilterBar { base_query, any_filter, facets } = filters.bar(found.facets);
    Ok(Html(ListTemplate {
        page: page.crumb("Kennisbank", "/kennisbank"),
        q: filters.q.clone().unwrap_or_default(),
        sort: filters.sort,
        facets,
        regions: RegionSelect::default(),
        cards,
        paging,
        base_query,
        any_filter,
    }))
}

/// A reference format, by the extension of its address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Bibtex,
    Ris,
    CslJson,
}

impl Format {
    /// Splits `name.ext` into the name and the format, when the extension is one.
    fn split(path: &str) -> Option<(&str, Format)> {
        let (name, extension) = path.rsplit_once('.')?;
        let format = match extension {
            "bib" => Format::Bibtex,
            "ris" => Format::Ris,
            "json" => Format::CslJson,
            _ => return None,
        };
        Some((name, format))
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Bibtex => "bib",
            Format::Ris => "ris",
            Format::CslJson => "json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Bibtex => "application/x-bibtex; charset=utf-8",
            Format::Ris => "application/x-research-info-systems; charset=utf-8",
            Format::CslJson => "application/vnd.citationstyles.csl+json; charset=utf-8",
        }
    }

    fn render(self, records: &[Citable]) -> String {
        match self {
            Format::Bibtex => cite::bibtex_all(records),
            Format::Ris => cite::ris_all(records),
            Format::CslJson => {
                serde_json::to_string_pretty(&cite::csl_all(records)).unwrap_or_else(|_| "[]".to_owned())
            }
        }
    }

    fn download(self, name: &str, records: &[Citable]) -> Response {
        let disposition = format!("attachment; filename=\"{name}.{}\"", self.extension());
        (
            [
                (header::CONTENT_TYPE, self.content_type().to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            self.render(records),
        )
            .into_response()
    }
}

/// The slug that names the export of a search result (`/kennisbank/export.bib?…`); no
/// publication may take it.
pub const EXPORT_SLUG: &str = "export";

/// `/kennisbank/{slug}`: a publication's page, or with `.bib`, `.ris` or `.json` its
/// reference; `/kennisbank/export.{bib,ris,json}` exports the search result the query names.
pub async fn show(
    state: AppState,
    page: Page,
    Path(path): Path<String>,
    params: QueryParams,
    headers: HeaderMap,
) -> AppResult<Response> {
    if let Some(slug) = path.strip_suffix(".pdf") {
        return super::pdf::serve(&state.db, slug, &headers).await;
    }
    if let Some((name, format)) = Format::split(&path) {
        if name == EXPORT_SLUG {
            let filters = Filters::from_params(&params);
            let found = state.publications.search(&state.db, &filters, EXPORT_MAX, 0).await?;
            let records = queries::citables(&state.db, &found.ids).await?;
            return Ok(format.download("kennisbank", &records));
        }
        let record = queries::by_slug(&state.db, name).await?.ok_or(AppError::NotFound)?.record;
        return Ok(format.download(&record.slug, std::slice::from_ref(&record)));
    }
    let publication = queries::by_slug(&state.db, &path).await?.ok_or(AppError::NotFound)?;
    let db = &state.db;
    let id = publication.id;
    let (apa_html, apa_text) = publication.record.apa();
    let canonical = page.canonical_url.clone();
    let pdf = super::pdf::of(db, id).await?;
    let pdf_url = pdf.as_ref().map(|_| super::pdf::Pdf::url(&publication.record.slug));
    let template = ShowTemplate {
        page: page
            .crumb("Kennisbank", "/kennisbank")
            .crumb(publication.record.title.clone(), format!("/kennisbank/{}", publication.record.slug)),
        abstract_html: text::markdown(&publication.record.abstract_text),
        json_ld: json_ld(&publication, &canonical),
        highwire: highwire(&publication, pdf_url.as_deref().map(|url| state.config.absolute(url))),
        pdf: pdf.zip(pdf_url),
        events: queries::events_of(db, id).await?,
        themes: queries::themes_of(db, id).await?,
        levels: queries::levels_of(db, id).await?,
        regions: queries::regions_of(db, id).await?,
        initiatives: queries::initiatives_of(db, id).await?,
        related: queries::related_of(db, id).await?,
        vraagstukken: obstacles::answered_by(db, obstacles::Record::Publication(id)).await?,
        apa_html,
        apa_text,
        publication,
    };
    Ok(Html(template).into_response())
}

#[derive(Template)]
#[template(path = "kennisbank/show.html")]
pub struct ShowTemplate {
    page: Page,
    publication: Publication,
    abstract_html: String,
    /// schema.org JSON-LD, safe to put inside a script element.
    json_ld: String,
    /// Highwire Press `citation_*` meta tags: name and content.
    highwire: Vec<(&'static str, String)>,
    themes: Vec<Term>,
    levels: Vec<Term>,
    regions: Vec<Link>,
    initiatives: Vec<Link>,
    related: Vec<Link>,
    events: Vec<Link>,
    /// The hosted PDF (open licence only) and its address.
    pdf: Option<(super::pdf::Pdf, String)>,
    vraagstukken: Vec<obstacles::Answered>,
    apa_html: String,
    apa_text: String,
}

impl ShowTemplate {
    pub fn authors_line(&self) -> String {
        self.publication.record.authors.iter().map(|a| a.display()).collect::<Vec<_>>().join(", ")
    }

    pub fn year_text(&self) -> String {
        self.publication.record.year.map_or_else(|| "zonder jaar".to_owned(), |y| y.to_string())
    }

    pub fn description(&self) -> String {
        text::excerpt(&self.publication.record.abstract_text.replace(['*', '#', '_', '`'], ""), 200)
    }

    pub fn isbn_display(&self) -> String {
        let isbn = &self.publication.record.isbn;
        if isbn.len() == 13 {
            format!("{}-{}-{}", &isbn[..3], &isbn[3..12], &isbn[12..])
        } else {
            isbn.clone()
        }
    }
}

/// The schema.org type of each kind of publication.
fn schema_type(kind: PublicationKind) -> &'static str {
    match kind {
        PublicationKind::Rapport | PublicationKind::Advies | PublicationKind::Handreiking => "Report",
        PublicationKind::Factsheet => "DigitalDocument",
        PublicationKind::Artikel => "ScholarlyArticle",
        PublicationKind::Boek => "Book",
        PublicationKind::Hoofdstuk => "Chapter",
        PublicationKind::Proefschrift => "Thesis",
        PublicationKind::Video => "VideoObject",
        PublicationKind::Podcast => "PodcastEpisode",
        PublicationKind::Webpagina => "WebPage",
    }
}

fn json_ld(publication: &Publication, canonical: &str) -> String {
    let p = &publication.record;
    let authors: Vec<_> = p
        .authors
        .iter()
        .map(|a| match a.kind {
            AuthorKind::Organisatie => json!({ "@type": "Organization", "name": a.family }),
            AuthorKind::Persoon => json!({
                "@type": "Person",
                "name": a.display(),
                "givenName": a.given,
                "familyName": if a.particle.is_empty() { a.family.clone() } else { format!("{} {}", a.particle, a.family) },
            }),
        })
        .collect();
    let mut value = json!({
        "@context": "https://schema.org",
        "@type": schema_type(p.kind),
        "@id": canonical,
        "url": canonical,
        "name": p.title,
        "inLanguage": "nl",
        "author": authors,
    });
    if let Some(year) = p.year {
        value["datePublished"] = json!(year.to_string());
    }
    if !p.publisher.is_empty() {
        value["publisher"] = json!({ "@type": "Organization", "name": p.publisher });
    }
    if !p.abstract_text.is_empty() {
        value["abstract"] = json!(p.abstract_text);
    }
    if !p.doi.is_empty() {
        value["identifier"] = json!({ "@type": "PropertyValue", "propertyID": "DOI", "value": p.doi });
        value["sameAs"] = json!(format!("https://doi.org/{}", p.doi));
    }
    if !p.isbn.is_empty() {
        value["isbn"] = json!(p.isbn);
    }
    if let Some(licence) = publication.licence.url() {
        value["license"] = json!(licence);
    }
    if !p.series.is_empty() {
        value["isPartOf"] = json!({ "@type": "CreativeWorkSeries", "name": p.series });
    }
    // Inside <script>, "</" would end the element; JSON allows "<\/" for the same string.
    value.to_string().replace("</", "<\\/")
}

fn highwire(publication: &Publication, pdf_url: Option<String>) -> Vec<(&'static str, String)> {
    let p = &publication.record;
    let mut tags = vec![("citation_title", p.title.clone())];
    for author in &p.authors {
        let name = match author.kind {
            AuthorKind::Organisatie => author.family.clone(),
            AuthorKind::Persoon => {
                let family = if author.particle.is_empty() {
                    author.family.clone()
                } else {
                    format!("{} {}", author.particle, author.family)
                };
                if author.given.is_empty() { family } else { format!("{family}, {}", author.given) }
            }
        };
        tags.push(("citation_author", name));
    }
    if let Some(year) = p.year {
        tags.push(("citation_publication_date", year.to_string()));
    }
    if !p.publisher.is_empty() {
        let name = match p.kind {
            PublicationKind::Rapport | PublicationKind::Advies | PublicationKind::Handreiking => {
                "citation_technical_report_institution"
            }
            PublicationKind::Proefschrift => "citation_dissertation_institution",
            _ => "citation_publisher",
        };
        tags.push((name, p.publisher.clone()));
    }
    if !p.doi.is_empty() {
        tags.push(("citation_doi", p.doi.clone()));
    }
    if !p.isbn.is_empty() {
        tags.push(("citation_isbn", p.isbn.clone()));
    }
    if !p.series.is_empty() {
        tags.push(("citation_series_title", p.series.clone()));
    }
    if let Some(url) = pdf_url {
        tags.push(("citation_pdf_url", url));
    }
    tags.push(("citation_language", "nl".to_owned()));
    tags
}
