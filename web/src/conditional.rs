//! ETag / Last-Modified validators and 304 answers for lists and feeds.
//!
//! Feed readers poll every few minutes and the day's lists change once a day, so most polls can
//! be answered with a bodiless 304. The ETag is a hash of the exact body we would send (feeds are
//! rendered deterministically from the data, see [`crate::feed`]), so it changes exactly when the
//! content does; Last-Modified helps the clients that only remember dates.
//!
//! Every header is read leniently: a value we cannot understand is treated as "no match", so a
//! broken client gets the full 200 answer rather than an error or a wrong 304.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, Utc};

/// The validators of one response body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validators {
    /// A strong entity tag, quoted as it goes on the wire, e.g. `"1f3a-3f2a9c0d11e4b7a8"`.
    pub etag: String,
    pub last_modified: Option<DateTime<Utc>>,
}

impl Validators {
    /// ETag from the response body bytes (a fast stable 64-bit hash, FNV-1a, in hex, after the
    /// body's length) plus optional last-modified.
    pub fn for_body(body: &[u8], last_modified: Option<DateTime<Utc>>) -> Validators {
        Validators {
            etag: format!("\"{:x}-{:016x}\"", body.len(), fnv1a_64(body)),
            last_modified,
        }
    }

    /// True when the request's If-None-Match (a list of entity tags or `*`, compared weakly, so
    /// `W/` prefixes do not matter) matches, or, only when there is no If-None-Match,
    /// If-Modified-Since is at or after `last_modified` (HTTP-date, second precision).
    ///
    /// Only meaningful for GET and HEAD, which is all lists and feeds answer.
    pub fn not_modified(&self, request_headers: &HeaderMap) -> bool {
        // RFC 9110 §13.2.2: If-None-Match, when present at all, decides alone; If-Modified-Since
        // is only the fallback for clients that keep no ETag.
        if request_headers.contains_key(IF_NONE_MATCH) {
            let ours = opaque_tag(&self.etag);
            return request_headers
                .get_all(IF_NONE_MATCH)
                .iter()
                .any(|value| if_none_match_matches(value, ours));
        }
        let (Some(last_modified), Some(since)) =
            (self.last_modified, if_modified_since(request_headers))
        else {
            return false;
        };
        // HTTP dates have whole seconds; compare at that precision, or a body modified at
        // 12:00:00.5 would never match the 12:00:00 the client was told.
        last_modified.timestamp() <= since.timestamp()
    }

    /// Adds ETag and Last-Modified (IMF-fixdate) headers.
    pub fn apply(&self, response_headers: &mut HeaderMap) {
        // Only a malformed hand-made `etag` (a control character) fails here; sending no ETag
        // is then better than sending a broken one or failing the response.
        if let Ok(etag) = HeaderValue::from_str(&self.etag) {
            response_headers.insert(ETAG, etag);
        }
        if let Some(date) = self.last_modified {
            let value = date.format(IMF_FIXDATE).to_string();
            if let Ok(value) = HeaderValue::from_str(&value) {
                response_headers.insert(LAST_MODIFIED, value);
            }
        }
    }
}

/// A complete answer: 304 with the validators and Cache-Control when not modified, else 200 with
/// body, content type, validators and the given Cache-Control.
pub fn respond(
    request_headers: &HeaderMap,
    content_type: &'static str,
    cache_control: &'static str,
    body: String,
    last_modified: Option<DateTime<Utc>>,
) -> Response {
    let validators = Validators::for_body(body.as_bytes(), last_modified);
    let mut response = if validators.not_modified(request_headers) {
        // RFC 9110 §15.4.5: a 304 carries the validators and caching headers a 200 would have,
        // so caches can refresh their copy, but no body and hence no Content-Type.
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = body.into_response();
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    };
    let headers = response.headers_mut();
    validators.apply(headers);
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    response
}

/// IMF-fixdate (RFC 9110 §5.6.7), the one HTTP-date form servers send.
const IMF_FIXDATE: &str = "%a, %d %b %Y %H:%M:%S GMT";

/// 64-bit FNV-1a. Not std's `DefaultHasher`, whose algorithm may change between Rust releases:
/// the tag must stay the same across restarts and builds so clients' cached copies stay valid.
/// Not cryptographic; it does not need to be, the body is ours.
fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(PRIME)
    })
}

/// The entity tag without its weakness marker: what weak comparison compares.
fn opaque_tag(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// Whether one If-None-Match value (`*` or `#entity-tag`) names `ours` (an opaque tag, quotes
/// included). Tags are read one at a time; at the first thing that is not a tag the rest is
/// ignored, so garbage never matches but the well-formed tags before it still count.
fn if_none_match_matches(value: &HeaderValue, ours: &str) -> bool {
    let Ok(value) = value.to_str() else {
        return false;
    };
    if value.trim() == "*" {
        return true;
    }
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return false;
        }
        let tag_start = rest.strip_prefix("W/").unwrap_or(rest);
        // An opaque tag is `"…"` and cannot contain `"` (but may contain commas, so the list
        // cannot simply be split on them).
        let Some(after_quote) = tag_start.strip_prefix('"') else {
            return false;
        };
        let Some(len) = after_quote.find('"') else {
            return false;
        };
        let opaque = &tag_start[..len + 2];
        if opaque == ours {
            return true;
        }
        rest = &tag_start[len + 2..];
    }
}

/// The request's If-Modified-Since, or `None` when it is missing, repeated or not an HTTP-date
/// (RFC 9110 §13.1.3: such a header is ignored).
fn if_modified_since(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    let mut values = headers.get_all(IF_MODIFIED_SINCE).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    parse_http_date(value.to_str().ok()?.trim())
}

/// An HTTP-date in any of the three forms recipients must accept (RFC 9110 §5.6.7): IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form (`Sunday, 06-Nov-94 08:49:37
/// GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    const FORMS: [&str; 3] = [
        IMF_FIXDATE,
        "%A, %d-%b-%y %H:%M:%S GMT",
        "%a %b %e %H:%M:%S %Y",
    ];
    FORMS
        .iter()
        .find_map(|form| NaiveDateTime::parse_from_str(value, form).ok())
        .map(|date| date.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const BODY: &str = "<rss>…</rss>";

    fn noon() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn validators() -> Validators {
        Validators::for_body(BODY.as_bytes(), Some(noon()))
    }

    fn request(headers: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for &(name, value) in headers {
            map.append(name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn inm(value: &str) -> HeaderMap {
        request(&[("if-none-match", value)])
    }

    fn ims(value: &str) -> HeaderMap {
        request(&[("if-modified-since", value)])
    }

    #[test]
    fn etag_is_strong_stable_and_follows_the_body() {
        let v = validators();
        assert!(
            v.etag.starts_with('"') && v.etag.ends_with('"'),
            "{}",
            v.etag
        );
        assert!(!v.etag.starts_with("W/"));
        assert_eq!(v.etag, Validators::for_body(BODY.as_bytes(), None).etag);
        assert_ne!(v.etag, Validators::for_body(b"<rss>...</rss>", None).etag);
        // Pinned: a tag that changed between releases would make every client refetch.
        assert_eq!(
            Validators::for_body(b"", None).etag,
            "\"0-cbf29ce484222325\""
        );
        assert_eq!(
            Validators::for_body(b"a", None).etag,
            "\"1-af63dc4c8601ec8c\""
        );
    }

    #[test]
    fn if_none_match_matches_our_tag_only() {
        let v = validators();
        assert!(v.not_modified(&inm(&v.etag)));
        assert!(!v.not_modified(&inm("\"something-else\"")));
        assert!(!v.not_modified(&HeaderMap::new()));
    }

    #[test]
    fn if_none_match_lists_and_star() {
        let v = validators();
        let list = format!("\"a\", \"b,c\" ,{},\"d\"", v.etag);
        assert!(v.not_modified(&inm(&list)));
        assert!(!v.not_modified(&inm("\"a\", \"b,c\", \"d\"")));
        assert!(v.not_modified(&inm("*")));
        assert!(v.not_modified(&inm(" * ")));
        // Several header lines form one list.
        assert!(v.not_modified(&request(&[
            ("if-none-match", "\"a\""),
            ("if-none-match", &v.etag)
        ])));
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let v = validators();
        assert!(v.not_modified(&inm(&format!("W/{}", v.etag))));
        assert!(v.not_modified(&inm(&format!("\"x\", W/{}", v.etag))));
        let weak_ours = Validators {
            etag: format!("W/{}", v.etag),
            last_modified: None,
        };
        assert!(weak_ours.not_modified(&inm(&v.etag)));
    }

    #[test]
    fn if_none_match_wins_over_if_modified_since() {
        let v = validators();
        let later = "Mon, 01 Jun 2026 13:00:00 GMT";
        assert!(!v.not_modified(&request(&[
            ("if-none-match", "\"stale\""),
            ("if-modified-since", later)
        ])));
        // Even an unreadable If-None-Match takes the decision away from the date.
        assert!(!v.not_modified(&request(&[
            ("if-none-match", "garbage"),
            ("if-modified-since", later)
        ])));
    }

    #[test]
    fn if_modified_since_before_equal_after() {
        let v = validators();
        assert!(!v.not_modified(&ims("Mon, 01 Jun 2026 11:59:59 GMT")));
        assert!(v.not_modified(&ims("Mon, 01 Jun 2026 12:00:00 GMT")));
        assert!(v.not_modified(&ims("Mon, 01 Jun 2026 12:00:01 GMT")));
        // Sub-second precision on our side does not defeat the match.
        let fractional = Validators::for_body(
            BODY.as_bytes(),
            Some(noon() + chrono::Duration::milliseconds(500)),
        );
        assert!(fractional.not_modified(&ims("Mon, 01 Jun 2026 12:00:00 GMT")));
        // The obsolete forms clients may still send.
        assert!(v.not_modified(&ims("Monday, 01-Jun-26 12:00:00 GMT")));
        assert!(v.not_modified(&ims("Mon Jun  1 12:00:00 2026")));
        assert!(!v.not_modified(&ims("Mon Jun  1 11:00:00 2026")));
        // Without a Last-Modified of our own there is nothing to compare.
        let undated = Validators::for_body(BODY.as_bytes(), None);
        assert!(!undated.not_modified(&ims("Mon, 01 Jun 2026 12:00:00 GMT")));
    }

    #[test]
    fn garbage_headers_never_match() {
        let v = validators();
        for value in ["", "garbage", "\"unterminated", "W/", "W/x", ",,,", "**"] {
            assert!(!v.not_modified(&inm(value)), "If-None-Match: {value}");
        }
        for value in [
            "",
            "yesterday",
            "2026-06-01T12:00:00Z",
            "Mon, 32 Jun 2026 12:00:00 GMT",
        ] {
            assert!(!v.not_modified(&ims(value)), "If-Modified-Since: {value}");
        }
        // Non-UTF-8 bytes are allowed on the wire but are not a tag or a date.
        let mut raw = HeaderMap::new();
        raw.insert(IF_NONE_MATCH, HeaderValue::from_bytes(b"\"\xff\"").unwrap());
        assert!(!v.not_modified(&raw));
        // A repeated If-Modified-Since is ignored, not guessed at.
        let twice = request(&[
            ("if-modified-since", "Mon, 01 Jun 2026 12:00:00 GMT"),
            ("if-modified-since", "Mon, 01 Jun 2026 12:00:00 GMT"),
        ]);
        assert!(!v.not_modified(&twice));
    }

    #[test]
    fn apply_sets_etag_and_imf_fixdate() {
        let v = validators();
        let mut headers = HeaderMap::new();
        v.apply(&mut headers);
        assert_eq!(headers[ETAG], v.etag.as_str());
        assert_eq!(headers[LAST_MODIFIED], "Mon, 01 Jun 2026 12:00:00 GMT");
        let mut headers = HeaderMap::new();
        Validators::for_body(b"", None).apply(&mut headers);
        assert!(headers.contains_key(ETAG));
        assert!(!headers.contains_key(LAST_MODIFIED));
    }

    async fn body_of(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    const RSS: &str = "application/rss+xml; charset=utf-8";
    const CACHE: &str = "public, max-age=300";

    #[tokio::test]
    async fn respond_answers_200_then_304() {
        let first = respond(&HeaderMap::new(), RSS, CACHE, BODY.into(), Some(noon()));
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(first.headers()[CONTENT_TYPE], RSS);
        assert_eq!(first.headers()[CACHE_CONTROL], CACHE);
        assert_eq!(
            first.headers()[LAST_MODIFIED],
            "Mon, 01 Jun 2026 12:00:00 GMT"
        );
        let etag = first.headers()[ETAG].to_str().unwrap().to_string();
        assert_eq!(body_of(first).await, BODY.as_bytes());

        let again = respond(&inm(&etag), RSS, CACHE, BODY.into(), Some(noon()));
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()[ETAG], etag.as_str());
        assert_eq!(again.headers()[CACHE_CONTROL], CACHE);
        assert!(again.headers().contains_key(LAST_MODIFIED));
        assert!(!again.headers().contains_key(CONTENT_TYPE));
        assert!(body_of(again).await.is_empty());

        // New content, new tag: the old one no longer matches.
        let changed = respond(&inm(&etag), RSS, CACHE, "<rss/>".into(), Some(noon()));
        assert_eq!(changed.status(), StatusCode::OK);
        assert_ne!(changed.headers()[ETAG], etag.as_str());
    }

    #[tokio::test]
    async fn respond_to_garbage_is_a_full_200() {
        let headers = request(&[
            ("if-none-match", "not a tag"),
            ("if-modified-since", "not a date"),
        ]);
        let response = respond(&headers, RSS, CACHE, BODY.into(), None);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_of(response).await, BODY.as_bytes());
    }
}
