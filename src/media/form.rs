//! Forms with a file: the `UploadForm` extractor and the image field of a form.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;

use super::{Image, Purpose, UPLOAD_LIMIT, find, find_by_key, store_upload, too_large_response};
use crate::error::{AppError, AppResult};
use crate::web::form::{FieldErrors, FormData};
use crate::web::input;
use crate::web::typed_form::Form;

/// A file sent with a form.
pub struct Upload {
    pub name: String,
    pub file_name: String,
    pub bytes: Bytes,
}

/// The fields of a `multipart/form-data` post and its files. An urlencoded post is read as
/// well (it simply has no files), so scripts and tests that send no file keep working.
pub struct UploadForm {
    pub data: FormData,
    pub files: Vec<Upload>,
}

impl UploadForm {
    /// The form's fields (not its files) as the typed form `T`, as [`Form`] reads a body.
    pub fn fields<T: serde::de::DeserializeOwned>(&self) -> AppResult<T> {
        Form::<T>::read(&self.data)
    }

    /// The file sent in field `name`, if one was chosen (browsers send an empty part when not).
    pub fn file(&self, name: &str) -> Option<&Upload> {
        self.files.iter().find(|f| f.name == name && !(f.bytes.is_empty() && f.file_name.is_empty()))
    }
}

fn rejection(err: multer::Error) -> Response {
    match err {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            too_large_response()
        }
        _ => AppError::BadRequest(
            "Het formulier kon niet worden gelezen. Laad de pagina opnieuw en probeer het nog eens.".into(),
        )
        .into_response(),
    }
}

const MAX_PARTS: usize = 500;

impl<S: Send + Sync> FromRequest<S> for UploadForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if !content_type.starts_with("multipart/form-data") {
            let data = FormData::from_request(request, state).await?;
            return Ok(UploadForm { data, files: Vec::new() });
        }
        let boundary = multer::parse_boundary(&content_type).map_err(rejection)?;
        let constraints =
            multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(UPLOAD_LIMIT as u64));
        let mut multipart = multer::Multipart::with_constraints(
            request.into_body().into_data_stream(),
            boundary,
            constraints,
        );
        let mut fields = Vec::new();
        let mut files = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(rejection)? {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(rejection)?;
            if fields.len() + files.len() >= MAX_PARTS {
                continue;
            }
            match file_name {
                Some(file_name) => files.push(Upload { name, file_name, bytes }),
                // The same hygiene as urlencoded forms get in `web::context` (see web::input).
                None => {
                    let name = input::clean_value(&name, false).into_owned();
                    let value = String::from_utf8_lossy(&bytes);
                    let value = input::clean_value(&value, input::is_multiline(&name)).into_owned();
                    fields.push((name, value))
                }
            }
        }
        Ok(UploadForm { data: FormData(fields), files })
    }
}

/// The image a form ends up with for field `name`: a new upload (checked and stored at once,
/// so it survives a form that is shown again for another error), else nothing when
/// `{name}_verwijderen` is ticked, else the image the form already had (hidden field
/// `{name}_huidig`). A refused upload becomes the field's error and keeps the earlier image.
pub async fn read_image(
    db: &PgPool,
    form: &UploadForm,
    name: &'static str,
    purpose: Purpose,
    user_id: Option<i64>,
    errors: &mut FieldErrors,
) -> AppResult<Option<Image>> {
    if let Some(upload) = form.file(name) {
        match store_upload(db, upload.bytes.clone(), purpose, user_id).await {
            Ok(id) => return Ok(find(db, Some(id)).await?),
            Err(err) => err.into_field_error(errors, name)?,
        }
    }
    if form.data.flag(&format!("{name}_verwijderen")).is_some() {
        return Ok(None);
    }
    Ok(find_by_key(db, &form.data.one(&format!("{name}_huidig"))).await?)
}

/// What `templates/partials/image_field.html` shows: label, hint, error, the current image
/// with a "remove" checkbox, and the hidden field that keeps it.
pub struct ImageField {
    pub name: &'static str,
    /// The input's id; error summaries link to it.
    pub id: String,
    pub label: String,
    pub hint: String,
    pub current: Option<Image>,
    pub error: Option<String>,
}

impl ImageField {
    pub fn new(
        name: &'static str,
        id_prefix: &str,
        label: impl Into<String>,
        purpose: Purpose,
        current: Option<Image>,
        errors: &FieldErrors,
    ) -> Self {
        Self {
            name,
            id: format!("{id_prefix}{name}"),
            label: label.into(),
            hint: purpose.hint(),
            current,
            error: errors.get(name).map(str::to_owned),
        }
    }
}
