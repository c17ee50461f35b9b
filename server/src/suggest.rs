//! "Did you mean" for DP030: the existing spec IDs nearest to a broken one, without comparing it
//! with every ID in the workspace.
//!
//! The ranking is the one DP030 always had (kept exactly; `tests::same_as_brute_force` compares
//! the two): IDs with the same prefix (the part before the first `-`) first, by edit distance,
//! then by ID; after them IDs of other prefixes within distance 2. Only the first few are kept.
//!
//! The search walks each prefix's IDs as a sorted set (an implicit trie: consecutive IDs share
//! the rows of their common prefix) with one Levenshtein row per character, and skips every ID
//! under a prefix whose row already exceeds the radius. The radius grows from 1 until enough IDs
//! lie within it, so a broken ID in a dense numbering costs a few hundred row steps, not one
//! distance per spec. Results are cached per (ID, count) for as long as the index is unchanged:
//! [`crate::index::SpecIndex`] drops this whole structure when its IDs change.
//!
//! Hand-written rather than the `fst` crate's Levenshtein automaton: the ranking needs the
//! distance of each match and a growing radius (an automaton is built per query and radius), the
//! sets are small (IDs of at most 26 characters), and no new dependency is needed.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Broken IDs remembered at most; past this the cache starts afresh (an editor session can type
/// many transient IDs, `CMP-1`, `CMP-12`, …).
const CACHE_LIMIT: usize = 20_000;

/// Distance within which IDs of another prefix are suggested.
const OTHER_PREFIX_RADIUS: usize = 2;

/// The suggestion search over one set of IDs, built on first use, with its cache.
#[derive(Default)]
pub struct Nearest {
    sets: OnceLock<Sets>,
    cache: Mutex<HashMap<(String, usize), Vec<String>>>,
}

impl std::fmt::Debug for Nearest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nearest")
            .field("built", &self.sets.get().is_some())
            .finish_non_exhaustive()
    }
}

/// The IDs as sorted character sequences: all of them, and per prefix.
struct Sets {
    all: SortedSet,
    by_prefix: HashMap<String, SortedSet>,
}

#[derive(Default)]
struct SortedSet {
    keys: Vec<Vec<char>>,
    /// The longest key, for the row buffer.
    longest: usize,
}

impl SortedSet {
    fn new(mut keys: Vec<Vec<char>>) -> SortedSet {
        keys.sort_unstable();
        keys.dedup();
        let longest = keys.iter().map(Vec::len).max().unwrap_or(0);
        SortedSet { keys, longest }
    }
}

fn prefix_of(id: &str) -> &str {
    id.split('-').next().unwrap_or("")
}

impl Nearest {
    /// Up to `n` of `ids` closest to `id` (see the module documentation for the order). `ids`
    /// must be the same every call on one `Nearest`: they are read on the first call only.
    pub fn nearest<'a>(
        &self,
        id: &str,
        n: usize,
        ids: impl FnOnce() -> Box<dyn Iterator<Item = &'a str> + 'a>,
    ) -> Vec<String> {
        let key = (id.to_string(), n);
        if let Some(hit) = lock(&self.cache).get(&key) {
            return hit.clone();
        }
        let sets = self.sets.get_or_init(|| build(ids()));
        let found = search(sets, id, n);
        let mut cache = lock(&self.cache);
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(key, found.clone());
        found
    }

    /// How many distinct (ID, count) answers are cached; for tests.
    pub fn cached(&self) -> usize {
        lock(&self.cache).len()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The cache holds plain answers; one left by a panicking thread is still whole.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn build<'a>(ids: Box<dyn Iterator<Item = &'a str> + 'a>) -> Sets {
    let mut all = Vec::new();
    let mut by_prefix: HashMap<String, Vec<Vec<char>>> = HashMap::new();
    for id in ids {
        let chars: Vec<char> = id.chars().collect();
        by_prefix
            .entry(prefix_of(id).to_string())
            .or_default()
            .push(chars.clone());
        all.push(chars);
    }
    Sets {
        all: SortedSet::new(all),
        by_prefix: by_prefix
            .into_iter()
            .map(|(p, keys)| (p, SortedSet::new(keys)))
            .collect(),
    }
}

fn search(sets: &Sets, id: &str, n: usize) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    let q: Vec<char> = id.chars().collect();
    let prefix = prefix_of(id);
    let mut found: Vec<(usize, &[char])> = Vec::new();
    if let Some(same) = sets.by_prefix.get(prefix) {
        // Every same-prefix ID is a candidate, however far: grow the radius until `n` lie
        // within it (all IDs beyond it are then farther than each of those) or it covers all.
        let widest = q.len().max(same.longest);
        let mut r = 1;
        loop {
            found.clear();
            within(same, &q, r, &mut found);
            if found.len() >= n || r >= widest {
                break;
            }
            r += 1;
        }
        found.sort_unstable();
        found.truncate(n);
    }
    if found.len() < n {
        let mut other = Vec::new();
        within(&sets.all, &q, OTHER_PREFIX_RADIUS, &mut other);
        other.retain(|(_, k)| prefix_of_chars(k) != prefix);
        other.sort_unstable();
        found.extend(other.into_iter().take(n - found.len()));
    }
    found.into_iter().map(|(_, k)| k.iter().collect()).collect()
}

fn prefix_of_chars(k: &[char]) -> String {
    k.iter().take_while(|&&c| c != '-').collect()
}

/// Pushes every key of `set` within Levenshtein distance `r` of `q`, with its distance.
fn within<'s>(set: &'s SortedSet, q: &[char], r: usize, out: &mut Vec<(usize, &'s [char])>) {
    let w = q.len() + 1;
    // rows[j * w ..][..w]: the distance row after the first j characters of `prev`.
    let mut rows = vec![0usize; (set.longest + 1) * w];
    for (i, cell) in rows[..w].iter_mut().enumerate() {
        *cell = i;
    }
    let mut prev: &[char] = &[];
    // How many rows of `prev` are valid (beyond row 0).
    let mut valid = 0;
    let keys = &set.keys;
    let mut i = 0;
    'keys: while i < keys.len() {
        let k = &keys[i][..];
        let shared = prev
            .iter()
            .zip(k)
            .take(valid)
            .take_while(|(a, b)| a == b)
            .count();
        for j in shared + 1..=k.len() {
            let (done, rest) = rows.split_at_mut(j * w);
            let above = &done[(j - 1) * w..];
            let row = &mut rest[..w];
            row[0] = j;
            let c = k[j - 1];
            let mut least = row[0];
            for x in 1..w {
                let cost = usize::from(q[x - 1] != c);
                row[x] = (above[x] + 1).min(row[x - 1] + 1).min(above[x - 1] + cost);
                least = least.min(row[x]);
            }
            if least > r {
                // No key under k[..j] comes within r: skip them all (they follow k, sorted).
                let under = &k[..j];
                i += 1 + keys[i + 1..].partition_point(|x| x.starts_with(under));
                prev = k;
                valid = j - 1;
                continue 'keys;
            }
        }
        let d = rows[k.len() * w + q.len()];
        if d <= r {
            out.push((d, k));
        }
        prev = k;
        valid = k.len();
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DP030's search before this module: every ID compared with the broken one.
    fn brute_force(ids: &[&str], id: &str, n: usize) -> Vec<String> {
        let prefix = id.split('-').next().unwrap_or("");
        let mut keys: Vec<&str> = ids.to_vec();
        keys.sort_unstable();
        keys.dedup();
        let mut scored: Vec<(bool, usize, &str)> = keys
            .into_iter()
            .map(|k| {
                let same = k.split('-').next() == Some(prefix);
                (!same, strsim::levenshtein(id, k), k)
            })
            .filter(|(other_prefix, d, _)| !*other_prefix || *d <= 2)
            .collect();
        scored.sort();
        scored
            .into_iter()
            .take(n)
            .map(|(_, _, k)| k.to_string())
            .collect()
    }

    fn fast(ids: &[&str], id: &str, n: usize) -> Vec<String> {
        Nearest::default().nearest(id, n, || Box::new(ids.iter().copied()))
    }

    #[test]
    fn hand_written_cases() {
        let ids = [
            "CMP-001",
            "CMP-002",
            "CMP-010",
            "CMP-100",
            "CMP-1000",
            "DES-001",
            "DES-002",
            "CMX-001",
            "DEPLOY-001",
            "DEPLOY-0001",
            "OPS-7",
            "A-1",
            "AB-12",
        ];
        for (q, want) in [
            ("CMP-003", vec!["CMP-001", "CMP-002", "CMP-010"]),
            // Same prefix however far, before a near ID of another prefix.
            ("CMP-99999999", vec!["CMP-001", "CMP-002", "CMP-010"]),
            ("DES-003", vec!["DES-001", "DES-002"]),
            // No ID with this prefix: only other prefixes within distance 2.
            ("CMQ-001", vec!["CMP-001", "CMX-001", "CMP-002"]),
            ("ZZZ-001", vec![]),
            ("DEPLOY-01", vec!["DEPLOY-001", "DEPLOY-0001"]),
            ("OPS-8", vec!["OPS-7"]),
            ("A-2", vec!["A-1", "AB-12"]),
            // An ID that exists is its own nearest.
            ("CMP-010", vec!["CMP-010", "CMP-001", "CMP-002"]),
            ("", vec![]),
            ("CMP-😀", vec!["CMP-001", "CMP-002", "CMP-010"]),
        ] {
            assert_eq!(fast(&ids, q, 3), want, "{q}");
            assert_eq!(fast(&ids, q, 3), brute_force(&ids, q, 3), "{q}");
        }
        assert!(fast(&ids, "CMP-003", 0).is_empty());
        assert!(fast(&[], "CMP-003", 3).is_empty());
    }

    /// A small deterministic generator (xorshift), so the comparison needs no extra crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self, below: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % below as u64) as usize
        }
        fn id(&mut self) -> String {
            const PREFIXES: [&str; 7] = ["CMP", "CMX", "DES", "DEPLOY", "OPS", "C", "CMPX"];
            const ODD: [&str; 5] = ["", "-", "--1", "CMP", "é-1"];
            if self.next(40) == 0 {
                return ODD[self.next(ODD.len())].to_string();
            }
            let digits = 1 + self.next(5);
            let number: String = (0..digits)
                .map(|_| char::from(b'0' + self.next(10) as u8))
                .collect();
            format!("{}-{number}", PREFIXES[self.next(PREFIXES.len())])
        }
    }

    #[test]
    fn same_as_brute_force() {
        let mut rng = Rng(0x2026_1130);
        for round in 0..300 {
            let size = [0, 1, 2, 5, 40, 300][round % 6];
            let ids: Vec<String> = (0..size).map(|_| rng.id()).collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let nearest = Nearest::default();
            for _ in 0..20 {
                let q = rng.id();
                let n = 1 + rng.next(5);
                let got = nearest.nearest(&q, n, || Box::new(ids.iter().copied()));
                assert_eq!(got, brute_force(&ids, &q, n), "{q} in {ids:?}");
            }
        }
    }

    #[test]
    fn a_dense_numbering() {
        let ids: Vec<String> = (1..=4000).map(|i| format!("CMP-{i:03}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        for q in ["CMP-4100", "CMP-0000", "CMP-12", "CMP-123456", "DES-001"] {
            assert_eq!(fast(&ids, q, 3), brute_force(&ids, q, 3), "{q}");
        }
    }

    #[test]
    fn answers_are_cached() {
        let ids = ["CMP-001", "CMP-002"];
        let nearest = Nearest::default();
        let mut reads = 0;
        for _ in 0..3 {
            nearest.nearest("CMP-003", 3, || {
                reads += 1;
                Box::new(ids.iter().copied())
            });
        }
        assert_eq!(nearest.cached(), 1);
        assert_eq!(reads, 1, "the IDs are read once");
        nearest.nearest("CMP-004", 3, || unreachable!("built already"));
        assert_eq!(nearest.cached(), 2);
    }

    #[test]
    fn the_index_answers_anew_after_a_change() {
        use crate::index::{SpecEntry, SpecIndex};
        use std::path::{Path, PathBuf};
        let entry = |id: &str| SpecEntry {
            id: id.into(),
            path: PathBuf::from(format!("/ws/{id}.md")),
            display: id.into(),
            title: None,
            kind: None,
            owner: None,
            summary: None,
        };
        let mut idx = SpecIndex::from_entries([entry("CMP-100"), entry("CMP-500")]);
        assert_eq!(idx.nearest("CMP-104", 2), ["CMP-100", "CMP-500"]);
        let copy = idx.clone();
        idx.set_path(Path::new("/ws/CMP-105.md"), Some(entry("CMP-105")));
        assert_eq!(
            idx.nearest("CMP-104", 2),
            ["CMP-100", "CMP-105"],
            "a new spec is suggested"
        );
        assert_eq!(
            copy.nearest("CMP-104", 2),
            ["CMP-100", "CMP-500"],
            "a copy keeps its IDs"
        );
        idx.remove(Path::new("/ws/CMP-105.md"));
        assert_eq!(
            idx.nearest("CMP-104", 2),
            ["CMP-100", "CMP-500"],
            "a removed one is not"
        );
    }
}
