//! What browsers and robots ask every site for: an OpenSearch description (the search bar's
//! "add search engine") and robots.txt. The favicon is a static asset.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::AppState;

pub async fn opensearch(State(state): State<AppState>) -> impl IntoResponse {
    // The site URL comes from the configuration (an absolute http(s) URL); escape it anyway.
    let url = quick_xml::escape::escape(state.site.url.as_str());
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>papers</ShortName>
  <Description>Search arXiv papers by words and meaning</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Image height="16" width="16" type="image/svg+xml">{url}/favicon.ico</Image>
  <Url type="text/html" method="get" template="{url}/search?q={{searchTerms}}"/>
  <Url type="application/rss+xml" method="get" template="{url}/search/feed?q={{searchTerms}}"/>
  <Url type="application/opensearchdescription+xml" rel="self" template="{url}/opensearch.xml"/>
</OpenSearchDescription>
"#
    );
    (
        [
            (
                header::CONTENT_TYPE,
                "application/opensearchdescription+xml; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
}

/// Lists and papers may be crawled; searches and the API are endless and are not.
pub async fn robots() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        "User-agent: *\nDisallow: /search\nDisallow: /api/\n",
    )
}
