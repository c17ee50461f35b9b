//! Workspace symbols: every spec of the index by ID and title, matched fuzzily (the query's
//! characters in order, any case), best first: ID prefix, then a contiguous match, then the
//! tightest spread.

use crate::index::{SpecEntry, SpecIndex};

pub fn workspace_symbols<'a>(index: &'a SpecIndex, query: &str, max: usize) -> Vec<&'a SpecEntry> {
    let q: Vec<char> = query
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let mut scored: Vec<((u8, usize), &SpecEntry)> = index
        .entries()
        .iter()
        .filter_map(|e| {
            let hay = format!("{} {}", e.id, e.title.as_deref().unwrap_or("")).to_lowercase();
            score(&hay, &q).map(|s| (s, e))
        })
        .collect();
    scored.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.id.cmp(&y.id)));
    scored.into_iter().take(max).map(|(_, e)| e).collect()
}

/// Lower is better; `None` when the query is not a subsequence of `hay`.
fn score(hay: &str, q: &[char]) -> Option<(u8, usize)> {
    if q.is_empty() {
        return Some((0, 0));
    }
    let qs: String = q.iter().collect();
    if hay.starts_with(&qs) {
        return Some((0, 0));
    }
    if let Some(i) = hay.find(&qs) {
        return Some((1, i));
    }
    let mut first = None;
    let mut next = 0;
    let mut last = 0;
    for (i, c) in hay.char_indices() {
        if next < q.len() && c == q[next] {
            first.get_or_insert(i);
            next += 1;
            last = i;
        }
    }
    (next == q.len()).then(|| (2, last - first.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SpecIndex {
        SpecIndex::from_entries(
            [
                ("CMP-001", "Export service"),
                ("CMP-002", "Billing"),
                ("DES-001", "Export pipeline 請求"),
            ]
            .map(|(id, t)| SpecEntry {
                id: id.into(),
                path: format!("/ws/{id}.md").into(),
                display: format!("{id}.md"),
                title: Some(t.into()),
                kind: None,
                owner: None,
                summary: None,
            }),
        )
    }

    fn ids(q: &str) -> Vec<String> {
        workspace_symbols(&index(), q, 10)
            .into_iter()
            .map(|e| e.id.clone())
            .collect()
    }

    #[test]
    fn fuzzy_by_id_and_title() {
        assert_eq!(ids(""), ["CMP-001", "CMP-002", "DES-001"]);
        assert_eq!(ids("cmp"), ["CMP-001", "CMP-002"]);
        assert_eq!(ids("cmp2"), ["CMP-002"]);
        assert_eq!(ids("export"), ["CMP-001", "DES-001"]);
        assert_eq!(ids("請求"), ["DES-001"]);
        assert_eq!(ids("bil"), ["CMP-002"]);
        assert!(ids("zzz").is_empty());
        assert_eq!(workspace_symbols(&index(), "", 2).len(), 2);
    }
}
