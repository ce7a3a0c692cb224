//! HTML escaping for text the service writes into markup by hand (search snippets, rendered
//! summaries), outside the templates, which escape on their own; and which links from feeds and
//! lists may become links on our pages at all.

/// `text` safe inside an element or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `url` when it is an absolute http(s) URL, normalised; `None` otherwise. A `javascript:` or
/// `data:` link in a feed or a curated list must never become a link on our pages, so imports
/// keep only these and pages show only these.
pub fn web_url(url: &str) -> Option<String> {
    let parsed = crate::http::Url::parse(url.trim()).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_are_kept() {
        assert_eq!(
            web_url(" https://openreview.net/pdf/ab.pdf ").as_deref(),
            Some("https://openreview.net/pdf/ab.pdf")
        );
        assert_eq!(web_url("javascript:alert(1)"), None);
        assert_eq!(web_url("JavaScript:alert(1)"), None);
        assert_eq!(web_url("/pdf/ab.pdf"), None);
        assert_eq!(web_url("data:text/html,<b>"), None);
    }
}
