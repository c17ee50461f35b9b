//! Parsing a whole document region by region, reusing the facts of regions whose text did not
//! change. The same function serves a fresh analysis (empty cache) and the editor's keystrokes,
//! so an incremental result cannot differ from a fresh one: facts depend only on region text.

use std::ops::Range;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHasher};
use std::hash::Hasher;

use super::regions;
use super::syntax::{self, Facts};

/// Facts of a region and whether its parse held a syntax error.
type Parsed = (Arc<Facts>, bool);

/// Facts of recently seen regions, keyed by their text.
#[derive(Default)]
pub struct RegionCache {
    /// One entry per hash: a colliding text (practically never) is simply parsed again.
    entries: FxHashMap<u64, (Arc<str>, Parsed)>,
    /// Regions that earlier texts had and the current one has not, so that undoing an edit, or
    /// closing a fence that had turned the rest of the document into code, costs no parse.
    /// Bounded: regions over [`KEEP_MAX_REGION`] bytes are not kept, and at most about twice
    /// the document's size in all.
    previous: FxHashMap<u64, (Arc<str>, Parsed)>,
    /// The text parsed last, its region boundaries and its parts: after an edit only the
    /// boundaries near it are looked for again, and parts before and after it are reused by
    /// position, without hashing their text.
    last: Option<Last>,
}

struct Last {
    text: Arc<str>,
    cuts: Vec<usize>,
    parts: Vec<Part>,
    /// Entry counts of the last result: the next one is assembled into vectors of that size
    /// rather than grown step by step.
    sizes: syntax::Sizes,
}

/// A parsed region (possibly several joined around a fence) of the last text.
#[derive(Clone)]
struct Part {
    range: Range<usize>,
    key: u64,
    parsed: Parsed,
    /// Its parse ends inside a fence that never closed (it was the last part, then).
    open_fence: bool,
}

/// Larger regions (a fence's whole tail, joined) are not kept once the text moved on.
const KEEP_MAX_REGION: usize = 16 * 1024;

/// What one parse did: how many regions there were and how many had to be parsed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseStats {
    pub regions: usize,
    pub parsed: usize,
    pub parsed_bytes: usize,
}

fn hash(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

impl RegionCache {
    /// Moves the entry for `text` out of the cache, keeping its stored text for reuse.
    fn take(&mut self, key: u64, text: &str) -> Option<(Arc<str>, Parsed)> {
        for map in [&mut self.entries, &mut self.previous] {
            if matches!(map.get(&key), Some((t, _)) if &**t == text) {
                return map.remove(&key);
            }
        }
        None
    }

    /// Makes `next` (the regions of `text`) the cache, keeping what `text` no longer has in
    /// `previous`.
    fn replace(&mut self, mut next: RegionCache, text_len: usize) {
        let mut previous = std::mem::take(&mut self.previous);
        let evicted = std::mem::take(&mut self.entries);
        let budget = 2 * text_len + 64 * 1024;
        let mut bytes: usize = previous.values().map(|(t, _)| t.len()).sum();
        let fresh: usize = evicted.values().map(|(t, _)| t.len()).sum();
        if bytes + fresh > budget {
            previous.clear();
            bytes = 0;
        }
        for (key, entry) in evicted {
            if entry.0.len() <= KEEP_MAX_REGION && bytes + entry.0.len() <= budget {
                bytes += entry.0.len();
                previous.insert(key, entry);
            }
        }
        next.previous = previous;
        *self = next;
    }

    /// Adds the entries of `other`: regions parsed elsewhere (the server parses the parts of a
    /// newly opened document in parallel, then checks it with the merged cache).
    pub fn merge(&mut self, other: RegionCache) {
        for (key, entry) in other.entries {
            self.entries.entry(key).or_insert(entry);
        }
    }

    fn get(&self, key: u64, text: &str) -> Option<Parsed> {
        self.entries
            .get(&key)
            .filter(|(t, _)| &**t == text)
            .map(|(_, f)| f.clone())
    }
}

/// Parses `text`, taking unchanged regions from `cache` and leaving in it the regions of `text`
/// (and a bounded set of earlier ones). Returns facts with absolute ranges.
pub fn parse_facts(text: &str, cache: &mut RegionCache) -> (Facts, ParseStats) {
    let last = cache.last.take();
    let (cuts, change) = match &last {
        Some(l) => (
            regions::cuts_after_edit(&l.text, &l.cuts, text),
            Some(regions::Change::between(&l.text, text)),
        ),
        None => (regions::cuts(text), None),
    };
    let regions = regions::to_ranges(&cuts, text.len());
    let mut next = RegionCache {
        entries: FxHashMap::with_capacity_and_hasher(regions.len(), Default::default()),
        previous: FxHashMap::default(),
        last: None,
    };
    let mut facts = last
        .as_ref()
        .map_or_else(Facts::default, |l| Facts::with_capacity(l.sizes));
    let mut stats = ParseStats::default();
    let mut parts: Vec<Part> = Vec::with_capacity(regions.len());
    let mut i = 0;
    while i < regions.len() {
        let start = regions[i].start;
        if let (Some(l), Some(c)) = (&last, change) {
            if let Some(part) = unchanged_part(l, c, text.len(), start) {
                // Skip the raw regions the old part covers; it must end on a boundary.
                let mut j = i;
                while j < regions.len() && regions[j].end < part.range.end {
                    j += 1;
                }
                // A part that ends in an open fence was the last one; with text after it now,
                // it must be joined with what follows.
                let open_fence_inside = j + 1 < regions.len() && part.open_fence;
                if j < regions.len() && regions[j].end == part.range.end && !open_fence_inside {
                    if let Some(entry) = cache.entries.remove(&part.key) {
                        next.entries.insert(part.key, entry);
                    }
                    i = j + 1;
                    stats.regions += 1;
                    facts.extend_shifted(&part.parsed.0, start);
                    if part.parsed.1 && regions.len() > 1 {
                        return whole(text, cache, next, cuts, stats);
                    }
                    parts.push(part);
                    continue;
                }
            }
        }
        let mut r: Range<usize> = regions[i].clone();
        i += 1;
        let (mut key, mut parsed) = region_facts(text, r.clone(), cache, &mut next, &mut stats);
        // The line scan can misjudge a fence inside a list item; a region that ends inside an
        // open fence is joined with the next so the fence is parsed as one block.
        while i < regions.len() && syntax::ends_in_open_fence(&parsed.0, &text[r.clone()]) {
            r.end = regions[i].end;
            i += 1;
            (key, parsed) = region_facts(text, r.clone(), cache, &mut next, &mut stats);
        }
        if parsed.1 && regions.len() > 1 {
            return whole(text, cache, next, cuts, stats);
        }
        stats.regions += 1;
        facts.extend_shifted(&parsed.0, r.start);
        let open_fence = syntax::ends_in_open_fence(&parsed.0, &text[r.clone()]);
        parts.push(Part {
            range: r,
            key,
            parsed,
            open_fence,
        });
    }
    next.last = Some(Last {
        text: Arc::from(text),
        cuts,
        parts,
        sizes: facts.sizes(),
    });
    cache.replace(next, text.len());
    (facts, stats)
}

/// Error recovery is not local: only the whole text gives the whole text's facts. (Rare:
/// malformed tables. Costs a whole parse per change while the error stays.) The regions seen so
/// far stay cached for when the error is gone.
fn whole(
    text: &str,
    cache: &mut RegionCache,
    mut next: RegionCache,
    cuts: Vec<usize>,
    mut stats: ParseStats,
) -> (Facts, ParseStats) {
    let (key, parsed) = region_facts(text, 0..text.len(), cache, &mut next, &mut stats);
    stats.regions = 1;
    let facts = Facts::clone(&parsed.0);
    next.last = Some(Last {
        text: Arc::from(text),
        cuts,
        parts: vec![Part {
            range: 0..text.len(),
            key,
            parsed,
            open_fence: false,
        }],
        sizes: facts.sizes(),
    });
    cache.replace(next, text.len());
    (facts, stats)
}

/// The part of the last text that starts at `start` in the new text and lies wholly in the text
/// both share before or after the change, moved to its new place.
fn unchanged_part(
    last: &Last,
    change: regions::Change,
    new_len: usize,
    start: usize,
) -> Option<Part> {
    let old_len = last.text.len();
    let old_start = if start < change.prefix {
        start
    } else if start >= new_len - change.suffix {
        start + old_len - new_len
    } else {
        return None;
    };
    let i = last
        .parts
        .binary_search_by_key(&old_start, |p| p.range.start)
        .ok()?;
    let p = &last.parts[i];
    let in_prefix = p.range.end <= change.prefix && start < change.prefix;
    let in_suffix = old_start >= old_len - change.suffix;
    if !(in_prefix || in_suffix) {
        return None;
    }
    let end = if in_prefix {
        p.range.end
    } else {
        p.range.end + new_len - old_len
    };
    Some(Part {
        range: start..end,
        key: p.key,
        parsed: p.parsed.clone(),
        open_fence: p.open_fence,
    })
}

fn region_facts(
    text: &str,
    r: Range<usize>,
    old: &mut RegionCache,
    next: &mut RegionCache,
    stats: &mut ParseStats,
) -> (u64, Parsed) {
    let s = &text[r];
    let key = hash(s);
    if let Some(f) = next.get(key, s) {
        return (key, f);
    }
    let (stored, f) = match old.take(key, s) {
        Some(hit) => hit,
        None => {
            stats.parsed += 1;
            stats.parsed_bytes += s.len();
            let (facts, error) = syntax::parse_checked(s);
            (Arc::from(s), (Arc::new(facts), error))
        }
    };
    next.entries.insert(key, (stored, f.clone()));
    (key, f)
}

/// Facts of `text` parsed as one region: the reference the region split must agree with.
pub fn parse_whole(text: &str) -> Facts {
    syntax::parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_reparses_only_the_region_it_touched() {
        let mut text = String::from("# Title\n\n");
        for i in 0..200 {
            text.push_str(&format!("## Section {i}\n\nSome prose [CMP-{i:03}].\n\n"));
        }
        let mut cache = RegionCache::default();
        let (first, stats) = parse_facts(&text, &mut cache);
        assert_eq!(stats.parsed, stats.regions);
        let edited = text.replacen("Some prose [CMP-100]", "Some more prose [CMP-100]", 1);
        let (second, stats) = parse_facts(&edited, &mut cache);
        assert_eq!(stats.parsed, 1, "{stats:?}");
        assert_eq!(second, parse_facts(&edited, &mut RegionCache::default()).0);
        assert_ne!(first, second);
    }

    #[test]
    fn parts_reused_by_position_equal_a_fresh_parse() {
        let mut cache = RegionCache::default();
        let mut text = String::from("# T\n\nintro\n\n```\ncode\n");
        let steps = [
            "\n\n# After the open fence\n\ntext\n",
            "```\n",
            "\n\n## More\n\n- [ ] item\n",
            "| a |\n-\n\n",
            "\n\nend\n",
        ];
        let _ = parse_facts(&text, &mut cache);
        for add in steps {
            text.push_str(add);
            let (cached, _) = parse_facts(&text, &mut cache);
            assert_eq!(cached, parse_whole(&text), "after appending {add:?}");
            // And an edit at the front, leaving the tail to be reused by position.
            text.insert(0, 'x');
            let (cached, _) = parse_facts(&text, &mut cache);
            assert_eq!(cached, parse_whole(&text), "after prefixing, with {add:?}");
        }
        while text.len() > 3 {
            text.truncate(text.len() - 3);
            let (cached, _) = parse_facts(&text, &mut cache);
            assert_eq!(
                cached,
                parse_whole(&text),
                "after truncating to {}",
                text.len()
            );
        }
    }
}
