//! A model's Markdown as HTML that is safe to put in a page: the model (or a paper's text it
//! repeats) may write anything, so raw HTML becomes visible text, links keep only http(s)
//! targets and open nothing on their own, and images become their alt text (a page never loads
//! a URL a model chose). Math is left as `\( … \)` / `\[ … \]` text for KaTeX in the browser.

use papers_core::html::escape;
use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// Renders `markdown` to sanitised HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_MATH;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        // Raw HTML, block or inline: shown as the text it is.
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        Event::InlineMath(tex) => Some(Event::Html(math(&tex, false).into())),
        Event::DisplayMath(tex) => Some(Event::Html(math(&tex, true).into())),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            ..
        }) => Some(Event::Html(open_link(link_type, &dest_url).into())),
        Event::End(TagEnd::Link) => Some(Event::Html("</a>".into())),
        // An image's alt text stays; the image (a request to a URL the model chose) does not.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => None,
        other => Some(other),
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// `<a>` for a link: http(s) targets only, marked as the model's (no referrer, no follow); any
/// other target (javascript:, data:, a relative path) becomes a plain span.
fn open_link(link_type: LinkType, dest: &CowStr) -> String {
    let dest = dest.trim();
    let lower = dest.to_ascii_lowercase();
    let allowed = (lower.starts_with("https://") || lower.starts_with("http://"))
        && link_type != LinkType::Email;
    if !allowed {
        return "<a>".to_string();
    }
    let href = escape(dest);
    format!(r#"<a href="{href}" rel="nofollow noopener noreferrer ugc" target="_blank">"#)
}

fn math(tex: &str, display: bool) -> String {
    let escaped = escape(tex);
    if display {
        format!(r#"<span class="math display">\[{escaped}\]</span>"#)
    } else {
        format!(r#"<span class="math">\({escaped}\)</span>"#)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_markdown_renders() {
        let html = render("**Bold** and a list:\n\n- one\n- two");
        assert!(html.contains("<strong>Bold</strong>"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn math_is_kept_for_katex_and_escaped() {
        let html = render("Cost is $O(n^2)$ and $$a<b$$");
        assert!(html.contains(r"\(O(n^2)\)"), "{html}");
        assert!(html.contains(r"\[a&lt;b\]"), "{html}");
    }
}
