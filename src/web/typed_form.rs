//! A form body read into a typed struct. Built on [`FormData`], so the edge cleaning done
//! there applies here too; `serde_html_form` puts repeated keys (`thema=a&thema=b`) into a
//! `Vec`. A body that does not fit the struct is a 400 with a Dutch message, like axum's own
//! `Form` rejection.

use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::form::FormData;
use crate::error::AppError;

/// `Form<T>`: the request body as `T`, e.g. `Form(form): Form<SubscribeForm>`.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned> Form<T> {
    /// Reads already-extracted pairs into `T`.
    pub fn from_data(data: &FormData) -> Result<T, serde_html_form::de::Error> {
        let encoded =
            url::form_urlencoded::Serializer::new(String::new()).extend_pairs(data.0.iter()).finish();
        serde_html_form::from_str(&encoded)
    }

    /// Reads already-extracted pairs (e.g. the fields of a multipart form) into `T`; a body that
    /// does not fit is the same 400 as for the extractor.
    pub fn read(data: &FormData) -> Result<T, AppError> {
        Self::from_data(data).map_err(|err| {
            tracing::info!(%err, "form body does not fit");
            AppError::BadRequest("Het formulier is niet volledig of niet goed verstuurd.".into())
        })
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let data = FormData::from_request(request, state).await?;
        Self::read(&data).map(Form).map_err(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Subscribe {
        #[serde(default)]
        email: String,
        #[serde(default)]
        onderwerp: Vec<String>,
        #[serde(default)]
        openbaar: Option<String>,
    }

    fn data(pairs: &[(&str, &str)]) -> FormData {
        FormData(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn repeated_keys_become_a_vec_and_missing_ones_defaults() {
        let form: Subscribe = Form::from_data(&data(&[
            ("email", "a@b.nl"),
            ("onderwerp", "onderwijs"),
            ("onderwerp", "sport & spel"),
        ]))
        .unwrap();
        assert_eq!(
            form,
            Subscribe {
                email: "a@b.nl".into(),
                onderwerp: vec!["onderwijs".into(), "sport & spel".into()],
                openbaar: None
            }
        );
        let single: Subscribe = Form::from_data(&data(&[("onderwerp", "x"), ("openbaar", "1")])).unwrap();
        assert_eq!(single.onderwerp, ["x"]);
        assert_eq!(single.openbaar.as_deref(), Some("1"));
    }
}
