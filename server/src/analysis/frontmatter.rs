//! YAML front matter, read as flat `key: value` pairs: specs only use scalar fields (`id`,
//! `type`, `status`, `title`, `component`, `target`, `owner`), so nested YAML is skipped rather
//! than pulling in a YAML parser.

use std::ops::Range;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub range: Range<usize>,
    /// Lower-cased key, unquoted value, and the range of the whole `key: value` line.
    pub fields: Vec<(String, String, Range<usize>)>,
}

impl FrontMatter {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }

    pub fn field_range(&self, key: &str) -> Option<Range<usize>> {
        self.fields
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, r)| r.clone())
    }
}

/// Reads the front matter block at `range` of `text` (delimiters included).
pub fn parse(text: &str, range: Range<usize>) -> FrontMatter {
    let mut fields = Vec::new();
    let mut at = range.start;
    // Lines end at `\n`, `\r\n` or a lone `\r`, as in the parser.
    for (content, len) in super::regions::lines(&text[range.clone()]) {
        if !content.starts_with([' ', '\t', '-', '#']) {
            if let Some((k, v)) = content.split_once(':') {
                let key = k.trim().to_ascii_lowercase();
                let value = v.trim().trim_matches(['"', '\'']).trim().to_string();
                if !key.is_empty() && !key.contains(' ') {
                    fields.push((key, value, at..at + content.len()));
                }
            }
        }
        at += len;
    }
    FrontMatter { range, fields }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_scalar_fields() {
        let text = "---\nid: \"DEPLOY-007\"\ntype: deployment-procedure\ntags:\n  - a\n---\n";
        let fm = parse(text, 0..text.len());
        assert_eq!(fm.get("id"), Some("DEPLOY-007"));
        assert_eq!(fm.get("type"), Some("deployment-procedure"));
        assert_eq!(fm.get("tags"), Some(""));
        assert_eq!(&text[fm.field_range("id").unwrap()], "id: \"DEPLOY-007\"");
    }
}
