//! Static assets (stylesheet, scripts, icons, the vendored KaTeX), embedded in the binary and
//! served under content-hashed names, so a page can cache them forever and still see a change the
//! moment it is deployed.
//!
//! - `web/build.rs` lists every file under `web/static` into `$OUT_DIR/static_files.rs` as
//!   `(path, include_bytes!(…))`. A build script rather than a hand-kept table: a new file needs no
//!   code change, and nothing on disk can be forgotten by the site. The hashes are computed here,
//!   once, at first use (a few milliseconds for ~600 kB), so the one FNV-1a is this file's own.
//! - `/static/{stem}.{hash}.{ext}` (hash: the first 10 hex digits of the content's 64-bit FNV-1a)
//!   is cached for a year, `immutable`. Templates get that URL from [`url`].
//! - `/static/{path}` (the plain name) also answers, with `no-cache` plus an ETag: for robots,
//!   debugging and anything that cannot know the hash. One exception: files in a `fonts/`
//!   directory are cached for a year under their plain name too, because `katex.min.css` names its
//!   fonts by relative URL (`fonts/KaTeX_Main-Regular.woff2`), which resolves next to the hashed
//!   stylesheet to `/static/vendor/katex/fonts/…`. They are versioned by the vendored KaTeX release
//!   (`scripts/vendor-katex.sh`), whose font files have not changed in years.
//! - `/favicon.ico` answers with `favicon.svg`, for browsers that ask before reading the page.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::{AppError, AppState};

/// Every file under web/static: (path relative to it with `/` separators, contents).
static FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/static_files.rs"));

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";
const FAVICON_CACHE: &str = "public, max-age=86400";

/// The routes of this module: `/static/{*path}` and `/favicon.ico`.
pub fn routes() -> Router<AppState> {
    service()
}

/// The URL of an embedded asset by its path under web/static, e.g.
/// `url("app.js")` → `"/static/app.3f2a9c01de.js"`.
///
/// An unknown path is a typo in a template: in debug builds (and so in every test that renders
/// the page) it panics naming the path; in release it logs an error and returns the plain
/// `/static/{path}` URL, which then answers 404.
pub fn url(path: &str) -> &'static str {
    let table = table();
    match table.by_path.get(path) {
        Some(&index) => &table.assets[index].hashed_url,
        None => unknown_url(path),
    }
}

fn service<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/static/{*path}", get(serve_static))
        .route("/favicon.ico", get(favicon))
}

/// One file of FILES, at the same index.
struct Asset {
    bytes: &'static [u8],
    /// `/static/vendor/katex/katex.min.0123456789.css`
    hashed_url: String,
    /// The strong validator: the whole 64-bit hash, quoted.
    etag: HeaderValue,
    content_type: &'static str,
    /// The Cache-Control for a request by the plain name.
    plain_cache: &'static str,
}

struct Table {
    assets: Vec<Asset>,
    /// Path under web/static → index.
    by_path: HashMap<&'static str, usize>,
    /// Request path after `/static/` (hashed or plain name) → (index, served as hashed).
    by_name: HashMap<String, (usize, bool)>,
}

fn table() -> &'static Table {
    static TABLE: LazyLock<Table> = LazyLock::new(|| build_table(FILES));
    &TABLE
}

fn build_table(files: &'static [(&'static str, &'static [u8])]) -> Table {
    let mut assets = Vec::with_capacity(files.len());
    let mut by_path = HashMap::new();
    let mut by_name = HashMap::new();
    for (index, &(path, bytes)) in files.iter().enumerate() {
        let hash = fnv1a64(bytes);
        let hashed = hashed_name(path, hash);
        let in_fonts_dir = path.starts_with("fonts/") || path.contains("/fonts/");
        assets.push(Asset {
            bytes,
            hashed_url: format!("/static/{hashed}"),
            etag: HeaderValue::from_str(&format!("\"{hash:016x}\""))
                .expect("hex is a valid header"),
            content_type: content_type(path),
            plain_cache: if in_fonts_dir { IMMUTABLE } else { REVALIDATE },
        });
        by_path.insert(path, index);
        by_name.insert(path.to_string(), (index, false));
        by_name.insert(hashed, (index, true));
    }
    Table {
        assets,
        by_path,
        by_name,
    }
}

/// 64-bit FNV-1a: tiny, stable across Rust versions and platforms (unlike `DefaultHasher`), and
/// plenty for telling one version of a file from the next.
const fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

/// `dir/name.ext` → `dir/name.{first 10 hex digits}.ext`; the extension is the part after the
/// last dot of the file name (`katex.min.css` → `katex.min.<hash>.css`); a name without one gets
/// the hash appended (`LICENSE` → `LICENSE.<hash>`).
fn hashed_name(path: &str, hash: u64) -> String {
    let hex = format!("{hash:016x}");
    let hex = &hex[..10];
    let name_start = path.rfind('/').map_or(0, |slash| slash + 1);
    match path[name_start..].rfind('.') {
        Some(dot) if dot > 0 => {
            let dot = name_start + dot;
            format!("{}.{hex}{}", &path[..dot], &path[dot..])
        }
        _ => format!("{path}.{hex}"),
    }
}

fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = match name.rfind('.') {
        Some(dot) if dot > 0 => &name[dot + 1..],
        _ => "",
    };
    match extension.to_ascii_lowercase().as_str() {
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "png" => "image/png",
        "ico" => "image/x-icon",
        // LICENSE, VERSION and other plain text.
        "txt" | "md" | "" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// An unknown asset in a template: loud in debug, logged once per path in release.
fn unknown_url(path: &str) -> &'static str {
    if cfg!(debug_assertions) {
        panic!("assets::url: there is no web/static/{path} (a typo in a template?)");
    }
    static UNKNOWN: LazyLock<Mutex<HashMap<String, &'static str>>> =
        LazyLock::new(Default::default);
    let mut unknown = UNKNOWN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&url) = unknown.get(path) {
        return url;
    }
    tracing::error!(path, "assets::url: no such file under web/static");
    // Leaked once per distinct typo (the set of template literals is finite).
    let url: &'static str = Box::leak(format!("/static/{path}").into_boxed_str());
    unknown.insert(path.to_string(), url);
    url
}

async fn serve_static(Path(path): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let table = table();
    let Some(&(index, hashed)) = table.by_name.get(path.as_str()) else {
        return Err(AppError::NotFound(format!(
            "There is no file /static/{path}."
        )));
    };
    let asset = &table.assets[index];
    let cache = if hashed { IMMUTABLE } else { asset.plain_cache };
    Ok(respond(asset, asset.content_type, cache, &headers))
}

async fn favicon(headers: HeaderMap) -> Result<Response, AppError> {
    let table = table();
    let Some(&index) = table.by_path.get("favicon.svg") else {
        return Err(AppError::NotFound("There is no favicon.".into()));
    };
    let asset = &table.assets[index];
    Ok(respond(asset, "image/svg+xml", FAVICON_CACHE, &headers))
}

fn respond(
    asset: &Asset,
    content_type: &'static str,
    cache: &'static str,
    request: &HeaderMap,
) -> Response {
    let headers = [
        (CACHE_CONTROL, HeaderValue::from_static(cache)),
        (ETAG, asset.etag.clone()),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    if etag_matches(request, &asset.etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (
        headers,
        [(CONTENT_TYPE, HeaderValue::from_static(content_type))],
        Body::from(asset.bytes),
    )
        .into_response()
}

/// `If-None-Match` names this version (weak comparison, as RFC 9110 asks for this header).
fn etag_matches(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(ours) = etag.to_str() else {
        return false;
    };
    request.get_all(IF_NONE_MATCH).iter().any(|value| {
        value.to_str().is_ok_and(|list| {
            list.split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn get(uri: &str, if_none_match: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut request = Request::get(uri);
        if let Some(tag) = if_none_match {
            request = request.header(IF_NONE_MATCH, tag);
        }
        let response = service::<()>()
            .fallback(|| async { AppError::NotFound("There is no page at this address.".into()) })
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, headers, body)
    }

    fn header(headers: &HeaderMap, name: axum::http::HeaderName) -> &str {
        headers
            .get(&name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        // From the FNV reference test suite (draft-eastlake-fnv).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_hash_follows_the_content() {
        let one = hashed_name("app.js", fnv1a64(b"console.log(1)"));
        let two = hashed_name("app.js", fnv1a64(b"console.log(2)"));
        assert_ne!(one, two);
        assert_eq!(one, hashed_name("app.js", fnv1a64(b"console.log(1)")));
        let hash = 0x0123_4567_89ab_cdef;
        assert_eq!(hashed_name("app.js", hash), "app.0123456789.js");
        assert_eq!(
            hashed_name("vendor/katex/katex.min.css", hash),
            "vendor/katex/katex.min.0123456789.css"
        );
        assert_eq!(
            hashed_name("vendor/katex/LICENSE", hash),
            "vendor/katex/LICENSE.0123456789"
        );
        assert_eq!(hashed_name("a.b/c", hash), "a.b/c.0123456789");
    }

    #[test]
    fn every_file_on_disk_is_embedded_as_it_is() {
        fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if name.starts_with('.') || name.ends_with('~') {
                    continue;
                }
                if path.is_dir() {
                    walk(&path, found);
                } else {
                    found.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
        let mut on_disk = Vec::new();
        walk(&root, &mut on_disk);
        assert_eq!(
            on_disk.len(),
            FILES.len(),
            "web/static and the embedded table differ"
        );
        for file in on_disk {
            let relative = file
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let index = table().by_path[relative.as_str()];
            assert_eq!(
                table().assets[index].bytes,
                std::fs::read(&file).unwrap(),
                "{relative}"
            );
        }
        for wanted in [
            "style.css",
            "app.js",
            "theme.js",
            "favicon.svg",
            "vendor/katex/katex.min.js",
            "vendor/katex/katex.min.css",
            "vendor/katex/contrib/auto-render.min.js",
            "vendor/katex/contrib/copy-tex.min.js",
            "vendor/katex/fonts/KaTeX_Main-Regular.woff2",
            "vendor/katex/LICENSE",
            "vendor/katex/VERSION",
        ] {
            assert!(
                table().by_path.contains_key(wanted),
                "{wanted} is not embedded"
            );
        }
    }

    #[test]
    fn url_gives_the_hashed_name() {
        let app = url("app.js");
        let hex = app
            .strip_prefix("/static/app.")
            .unwrap()
            .strip_suffix(".js")
            .unwrap();
        assert_eq!(hex.len(), 10);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(
            hex,
            &format!("{:016x}", fnv1a64(include_bytes!("../static/app.js")))[..10]
        );
        assert!(url("vendor/katex/katex.min.css").starts_with("/static/vendor/katex/katex.min."));
        assert!(url("vendor/katex/katex.min.css").ends_with(".css"));
        // Names are unique: no hashed name is also some file's plain name.
        assert_eq!(table().by_name.len(), 2 * FILES.len());
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "web/static/no-such.css")]
    fn url_of_an_unknown_file_panics_in_debug() {
        url("no-such.css");
    }

    #[tokio::test]
    async fn every_asset_answers_by_hashed_and_plain_name() {
        for (asset, &(path, _)) in table().assets.iter().zip(FILES) {
            let (status, headers, body) = get(&asset.hashed_url, None).await;
            assert_eq!(status, StatusCode::OK, "{}", asset.hashed_url);
            assert_eq!(body, asset.bytes, "{}", asset.hashed_url);
            assert_eq!(
                header(&headers, CACHE_CONTROL),
                IMMUTABLE,
                "{}",
                asset.hashed_url
            );
            assert_eq!(header(&headers, CONTENT_TYPE), asset.content_type);
            assert_eq!(header(&headers, X_CONTENT_TYPE_OPTIONS), "nosniff");

            let plain = format!("/static/{path}");
            let (status, headers, body) = get(&plain, None).await;
            assert_eq!(status, StatusCode::OK, "{plain}");
            assert_eq!(body, asset.bytes, "{plain}");
            let expected = if path.contains("/fonts/") {
                IMMUTABLE
            } else {
                REVALIDATE
            };
            assert_eq!(header(&headers, CACHE_CONTROL), expected, "{plain}");
            assert_eq!(header(&headers, CONTENT_TYPE), asset.content_type);
        }
    }

    #[tokio::test]
    async fn content_types_are_right() {
        for (path, expected) in [
            ("style.css", "text/css; charset=utf-8"),
            ("app.js", "text/javascript; charset=utf-8"),
            ("favicon.svg", "image/svg+xml"),
            ("vendor/katex/fonts/KaTeX_Main-Regular.woff2", "font/woff2"),
            ("vendor/katex/LICENSE", "text/plain; charset=utf-8"),
            ("vendor/katex/VERSION", "text/plain; charset=utf-8"),
        ] {
            let (status, headers, _) = get(url(path), None).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(header(&headers, CONTENT_TYPE), expected, "{path}");
        }
        assert_eq!(content_type("x/data.json"), "application/json");
        assert_eq!(content_type("notes.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("x/blob.bin"), "application/octet-stream");
    }

    #[tokio::test]
    async fn unknown_paths_are_not_found() {
        let app_hash = url("app.js").strip_prefix("/static/app.").unwrap();
        for uri in [
            "/static/nope.css",
            "/static/app.0000000000.js",
            "/static/style.css/",
            "/static/../Cargo.toml",
            "/static/vendor/katex/fonts/KaTeX_Main-Regular.ttf",
            &format!("/static/style.{app_hash}"),
        ] {
            let (status, headers, _) = get(uri, None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
            assert!(
                header(&headers, CACHE_CONTROL).is_empty(),
                "{uri}: a 404 is not cached for a year"
            );
        }
    }

    #[tokio::test]
    async fn a_known_version_is_not_sent_again() {
        let (_, headers, _) = get("/static/style.css", None).await;
        let etag = header(&headers, ETAG).to_string();
        assert!(etag.starts_with('"') && etag.len() == 18, "{etag}");
        let (status, headers, body) = get("/static/style.css", Some(&etag)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());
        assert_eq!(header(&headers, CACHE_CONTROL), REVALIDATE);
        let (status, _, _) = get("/static/style.css", Some(&format!("\"x\", W/{etag}"))).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        let (status, _, body) = get("/static/style.css", Some("\"0000000000000000\"")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.is_empty());
    }

    #[tokio::test]
    async fn favicon_ico_is_the_svg() {
        let (status, headers, body) = get("/favicon.ico", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&headers, CONTENT_TYPE), "image/svg+xml");
        assert_eq!(header(&headers, CACHE_CONTROL), FAVICON_CACHE);
        assert_eq!(body, include_bytes!("../static/favicon.svg"));
        assert!(body.starts_with(b"<svg"));
    }

    /// katex.min.css names its fonts relative to itself; served at
    /// /static/vendor/katex/katex.min.<hash>.css, `fonts/x.woff2` must be a served, long-cached file.
    #[tokio::test]
    async fn the_katex_stylesheet_fonts_resolve() {
        let css_url = url("vendor/katex/katex.min.css");
        let (status, _, css) = get(css_url, None).await;
        assert_eq!(status, StatusCode::OK);
        let css = String::from_utf8(css).unwrap();
        let base = &css_url[..css_url.rfind('/').unwrap() + 1];
        let mut fonts = 0;
        for piece in css.split("url(").skip(1) {
            let target = piece[..piece.find(')').unwrap()]
                .trim()
                .trim_matches(['"', '\'']);
            assert!(
                !target.contains(':') && !target.starts_with('/'),
                "katex.min.css reaches outside the site: {target}"
            );
            let resolved = format!("{base}{target}");
            let (status, headers, body) = get(&resolved, None).await;
            assert_eq!(status, StatusCode::OK, "{target} → {resolved}");
            assert_eq!(header(&headers, CONTENT_TYPE), "font/woff2", "{resolved}");
            assert_eq!(header(&headers, CACHE_CONTROL), IMMUTABLE, "{resolved}");
            assert!(body.starts_with(b"wOF2"), "{resolved} is not a woff2 font");
            fonts += 1;
        }
        assert!(fonts >= 20, "only {fonts} font URLs found in katex.min.css");
    }
}
