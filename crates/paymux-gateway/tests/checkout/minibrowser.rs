//! A browser without a browser, for the plain-HTTP checkout tests: reads the forms of the
//! pages the gateway and the simulators serve (they are simple and well-formed), fills
//! inputs, and submits them encoded as a browser would (`accept-charset`; EUC-KR as browsers
//! do it, i.e. CP949). The real-browser run is `tests/browser/checkout.mjs`.

use paymux_core::wire::{form_urlencode, Charset};

/// One `<form>`.
#[derive(Debug, Clone)]
pub struct Form {
    pub id: String,
    pub action: String,
    pub charset: String,
    pub fields: Vec<(String, String)>,
}

impl Form {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set(&mut self, name: &str, value: &str) {
        match self.fields.iter_mut().find(|(k, _)| k == name) {
            Some(f) => f.1 = value.to_string(),
            None => self.fields.push((name.to_string(), value.to_string())),
        }
    }

    /// The body a browser would post.
    pub fn body(&self) -> Vec<u8> {
        let cs = match self.charset.to_ascii_uppercase().as_str() {
            "EUC-KR" => Charset::Cp949,
            _ => Charset::Utf8,
        };
        let pairs: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        form_urlencode(&pairs, cs).expect("encodable")
    }

    /// The absolute action URL (relative actions resolved against `page_url`).
    pub fn action_url(&self, page_url: &str) -> String {
        reqwest::Url::parse(page_url)
            .and_then(|u| u.join(&self.action))
            .map(|u| u.to_string())
            .unwrap_or_else(|_| self.action.clone())
    }
}

pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The attributes of a tag's text (`input type="hidden" name="x" value="y"`).
fn attrs(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default()
            .to_string();
        let after = &rest[eq + 2..];
        let end = after.find('"').unwrap_or(after.len());
        out.push((name.to_ascii_lowercase(), unescape(&after[..end])));
        rest = &after[(end + 1).min(after.len())..];
    }
    out
}

fn attr<'a>(a: &'a [(String, String)], name: &str) -> Option<&'a str> {
    a.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Every form of a page, with its inputs and selects (first option, or the selected one).
pub fn forms(html: &str) -> Vec<Form> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<form") {
        let open_end = start + rest[start..].find('>').unwrap_or(rest.len() - start);
        let fa = attrs(&rest[start + 5..open_end]);
        let close = rest[open_end..]
            .find("</form>")
            .map(|i| open_end + i)
            .unwrap_or(rest.len());
        let inner = &rest[open_end..close];
        let mut fields = Vec::new();
        let mut r = inner;
        while let Some(i) = r.find('<') {
            let end = i + r[i..].find('>').unwrap_or(r.len() - i);
            let tag = &r[i + 1..end];
            if let Some(t) = tag.strip_prefix("input") {
                let a = attrs(t);
                if let Some(n) = attr(&a, "name") {
                    fields.push((n.to_string(), attr(&a, "value").unwrap_or("").to_string()));
                }
            } else if let Some(t) = tag.strip_prefix("select") {
                let a = attrs(t);
                let sel_end = r[end..]
                    .find("</select>")
                    .map(|j| end + j)
                    .unwrap_or(r.len());
                let options = &r[end..sel_end];
                let mut value = None;
                let mut first = None;
                for opt in options.split("<option").skip(1) {
                    let oa = attrs(opt.split('>').next().unwrap_or_default());
                    let v = attr(&oa, "value").unwrap_or("").to_string();
                    first.get_or_insert(v.clone());
                    if opt
                        .split('>')
                        .next()
                        .unwrap_or_default()
                        .contains("selected")
                    {
                        value = Some(v);
                    }
                }
                if let Some(n) = attr(&a, "name") {
                    fields.push((n.to_string(), value.or(first).unwrap_or_default()));
                }
            }
            r = &r[(end + 1).min(r.len())..];
        }
        out.push(Form {
            id: attr(&fa, "id").unwrap_or_default().to_string(),
            action: attr(&fa, "action").unwrap_or_default().to_string(),
            charset: attr(&fa, "accept-charset").unwrap_or("UTF-8").to_string(),
            fields,
        });
        rest = &rest[(close + 1).min(rest.len())..];
    }
    out
}

/// The one form with this id.
pub fn form(html: &str, id: &str) -> Form {
    forms(html)
        .into_iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no form #{id} in:\n{html}"))
}

/// POST a form; answers `(status, location header, body)`.
pub async fn submit(
    http: &reqwest::Client,
    page_url: &str,
    f: &Form,
) -> (u16, Option<String>, String, String) {
    let url = f.action_url(page_url);
    let r = http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(f.body())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, location, r.text().await.unwrap(), url)
}

/// The query parameters of a URL.
pub fn query(url: &str) -> std::collections::BTreeMap<String, String> {
    reqwest::Url::parse(url)
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_forms() {
        let html = r#"<form id="a" method="post" action="/x?y=1&amp;z=2" accept-charset="EUC-KR">
            <input type="hidden" name="N" value="a&amp;b&quot;"><select id="bank" name="B"><option value="1">x</option><option value="2" selected>y</option></select>
            <button id="approve" name="ACTION" value="approve">p</button></form>"#;
        let f = form(html, "a");
        assert_eq!(f.action, "/x?y=1&z=2");
        assert_eq!(f.charset, "EUC-KR");
        assert_eq!(f.get("N"), Some("a&b\""));
        assert_eq!(f.get("B"), Some("2"));
    }
}
