//! Completion: spec IDs after `[` (with titles and types, filtered by what is typed), rule codes
//! and names inside `deployspec-disable…` comments, the section headings still missing after
//! `## `, a step snippet with the next number and a time line, and estimates after `Time:`
//! ([`TIME_PRESETS`]).
//!
//! What is being typed is not structure yet (`[CMP-0` is no link until its `]`), so the word at
//! the cursor is read from the text just before it; the model says where that is allowed (never
//! in code) and what already exists.

use crate::analysis::model::SectionKind;
use crate::analysis::syntax::{BlockKind, SpanKind};
use crate::index::SpecIndex;
use crate::rules::Rule;

use super::at::touches;
use super::{line_start, Edit, Snapshot, Template};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Spec,
    Rule,
    Section,
    Step,
    Time,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    /// What the client matches the typed word against.
    pub filter: String,
    pub edit: Edit,
    /// `edit.text` is a snippet.
    pub snippet: bool,
}

#[derive(Clone, Debug)]
pub struct Env {
    /// The client takes snippets in completion items.
    pub snippets: bool,
    /// The sections the configuration asks for (required, then recommended).
    pub sections: Vec<SectionKind>,
    /// At most this many spec IDs (the answer is then marked incomplete).
    pub max_specs: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completions {
    pub items: Vec<Item>,
    /// More would match: the client asks again as the user types.
    pub incomplete: bool,
}

pub fn complete(snap: &Snapshot, offset: usize, index: &SpecIndex, env: &Env) -> Completions {
    let text = &*snap.text;
    if offset > text.len() || !text.is_char_boundary(offset) || in_code(snap, offset) {
        return Completions::default();
    }
    if let Some(c) = rules_in_comment(snap, offset) {
        return c;
    }
    if let Some(c) = spec_ids(snap, offset, index, env) {
        return c;
    }
    if let Some(c) = sections(snap, offset, env) {
        return c;
    }
    if let Some(c) = time_values(snap, offset) {
        return c;
    }
    step_snippet(snap, offset, env).unwrap_or_default()
}

fn in_code(snap: &Snapshot, offset: usize) -> bool {
    let f = &snap.model().facts;
    f.blocks
        .iter()
        .any(|b| b.kind == BlockKind::Code && b.range.start < offset && offset < b.range.end)
        || f.spans
            .iter()
            .any(|s| s.kind == SpanKind::Code && s.range.start < offset && offset < s.range.end)
}

/// Inside `<!-- deployspec-disable …`, after the keyword: rule codes, or names when a name is
/// being typed.
fn rules_in_comment(snap: &Snapshot, offset: usize) -> Option<Completions> {
    let text = &*snap.text;
    let block =
        snap.model().facts.blocks.iter().find(|b| {
            b.kind == BlockKind::Html && b.range.start <= offset && offset <= b.range.end
        })?;
    let before = &text[block.range.start..offset];
    let open = before.rfind("<!--")?;
    if before[open..].contains("-->") {
        return None;
    }
    let inner = before[open + 4..].trim_start();
    let rest = [
        "deployspec-disable-next-line",
        "deployspec-disable",
        "deployspec-enable",
    ]
    .iter()
    .find_map(|k| inner.strip_prefix(k))?;
    if !rest.starts_with(|c: char| c.is_whitespace()) {
        return None;
    }
    let word_len = rest
        .chars()
        .rev()
        .take_while(|c| !c.is_whitespace() && *c != ',')
        .map(char::len_utf8)
        .sum::<usize>();
    let word = &rest[rest.len() - word_len..];
    let range = offset - word_len..offset;
    let by_name = word.chars().any(|c| c.is_ascii_lowercase())
        && !word.to_ascii_lowercase().starts_with("dp");
    let items = Rule::ALL
        .into_iter()
        .map(|r| {
            let info = r.info();
            let (label, detail) = if by_name {
                (info.name, info.code)
            } else {
                (info.code, info.name)
            };
            Item {
                label: label.into(),
                kind: ItemKind::Rule,
                detail: Some(detail.into()),
                documentation: Some(info.summary.into()),
                filter: label.into(),
                edit: Edit {
                    range: range.clone(),
                    text: label.into(),
                },
                snippet: false,
            }
        })
        .collect();
    Some(Completions {
        items,
        incomplete: false,
    })
}

/// After `[` and the ID characters typed so far: the index's IDs.
fn spec_ids(snap: &Snapshot, offset: usize, index: &SpecIndex, env: &Env) -> Option<Completions> {
    let text = &*snap.text;
    let is_id = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let typed_len = text[..offset]
        .chars()
        .rev()
        .take_while(|&c| is_id(c))
        .count();
    let bracket = offset.checked_sub(typed_len + 1)?;
    if text.as_bytes()[bracket] != b'[' {
        return None;
    }
    let typed = &text[bracket + 1..offset];
    // An ID already there after the cursor is replaced up to its `]`.
    let after_len = text[offset..].chars().take_while(|&c| is_id(c)).count();
    let end = offset + after_len;
    let closed = text[end..].starts_with(']');
    let needle = typed.to_ascii_lowercase();
    let mut seen = std::collections::HashSet::new();
    let mut items = Vec::new();
    let mut incomplete = false;
    for e in index.entries() {
        let title = e.title.as_deref().unwrap_or("");
        let matches = e.id.to_ascii_lowercase().starts_with(&needle)
            || (!needle.is_empty() && title.to_lowercase().contains(&needle));
        if !matches || !seen.insert(e.id.as_str()) {
            continue;
        }
        if items.len() == env.max_specs {
            incomplete = true;
            break;
        }
        items.push(Item {
            label: e.id.clone(),
            kind: ItemKind::Spec,
            detail: Some(match &e.kind {
                Some(k) => format!("{title} ({k})"),
                None => title.to_string(),
            }),
            documentation: e.summary.clone(),
            // Typing part of the title finds the ID too.
            filter: format!("{} {title}", e.id),
            edit: Edit {
                range: bracket + 1..end,
                text: if closed {
                    e.id.clone()
                } else {
                    format!("{}]", e.id)
                },
            },
            snippet: false,
        });
    }
    items.sort_by(|a, b| a.label.cmp(&b.label));
    Some(Completions { items, incomplete })
}

/// On a level-2 heading being typed: the configured sections the document does not have.
fn sections(snap: &Snapshot, offset: usize, env: &Env) -> Option<Completions> {
    let m = snap.model();
    let text = &*snap.text;
    let h = m
        .headings
        .iter()
        .find(|h| h.level == 2 && touches(&h.range, offset))?;
    let marker = h.range.start + text[h.range.clone()].find("## ")? + 3;
    if offset < marker {
        return None;
    }
    let end = h.text_range.end.max(offset);
    let items = env
        .sections
        .iter()
        .filter(|k| !m.sections.iter().any(|s| s.kind == **k))
        .map(|k| Item {
            label: k.heading().into(),
            kind: ItemKind::Section,
            detail: Some(format!("missing section ({})", k.key())),
            documentation: None,
            filter: k.heading().into(),
            edit: Edit {
                range: marker..end,
                text: k.heading().into(),
            },
            snippet: false,
        })
        .collect();
    Some(Completions {
        items,
        incomplete: false,
    })
}

/// The estimates offered after `Time:`: the round durations runbook steps mostly take, short
/// to long, each one `time.rs` reads. Offered, never inserted on their own: the author picks.
pub const TIME_PRESETS: [&str; 8] = [
    "~1 minute",
    "~2 minutes",
    "~5 minutes",
    "~10 minutes",
    "~15 minutes",
    "~30 minutes",
    "~1 hour",
    "~2 hours",
];

/// In the value of a `Time:` line (`- Time: ~`, `**Time**: `): the presets, replacing what is
/// there (the client filters by what is typed, `~` included).
fn time_values(snap: &Snapshot, offset: usize) -> Option<Completions> {
    let text = &*snap.text;
    // The cursor may be after spaces the paragraph does not hold (`- Time: |`).
    let on_line = |l: &crate::analysis::prose::Label| {
        touches(&l.line, offset)
            || (offset > l.line.end
                && text[l.line.end..offset]
                    .bytes()
                    .all(|b| b == b' ' || b == b'\t'))
    };
    let l = snap
        .model()
        .labels
        .iter()
        .find(|l| &*l.label == "time" && on_line(l) && l.value.start <= offset)?;
    // Nothing written yet: insert at the cursor, after a space when it is right at the colon.
    let (range, lead) = if l.value.is_empty() {
        (
            offset..offset,
            if text[..offset].ends_with(':') {
                " "
            } else {
                ""
            },
        )
    } else {
        (l.value.start..l.value.end.max(offset), "")
    };
    let items = TIME_PRESETS
        .iter()
        .map(|&t| Item {
            label: t.into(),
            kind: ItemKind::Time,
            detail: Some("time estimate".into()),
            documentation: None,
            filter: t.into(),
            edit: Edit {
                range: range.clone(),
                text: format!("{lead}{t}"),
            },
            snippet: false,
        })
        .collect();
    Some(Completions {
        items,
        incomplete: false,
    })
}

/// On an empty line (or one starting `**Step` / `Step`) of the procedure or rollback: the next
/// step, as a bold title or a heading like the step before it, with a time line.
fn step_snippet(snap: &Snapshot, offset: usize, env: &Env) -> Option<Completions> {
    let m = snap.model();
    let text = &*snap.text;
    let in_steps = m.sections.iter().any(|s| {
        matches!(s.kind, SectionKind::Procedure | SectionKind::Rollback)
            && s.range.start < offset
            && offset <= s.range.end
    });
    if !in_steps {
        return None;
    }
    let start = line_start(text, offset);
    let typed = text[start..offset].trim_start();
    let lower = typed.to_lowercase();
    let ok = typed.is_empty()
        || (!lower.starts_with('#') && "**step".starts_with(&lower))
        || "step".starts_with(&lower);
    let rest_of_line = &text[offset..super::next_line(text, offset)];
    if !ok || !rest_of_line.trim().is_empty() {
        return None;
    }
    let prev = m.steps.iter().rev().find(|s| s.head.start < offset);
    let number = prev.map_or(1, |s| s.number + 1);
    let heading = prev.filter(|s| s.is_heading).and_then(|s| {
        m.headings
            .iter()
            .find(|h| h.range.start == s.head.start)
            .map(|h| h.level)
    });
    let eol = snap.eol();
    let mut t = Template::default();
    match heading {
        Some(level) => t.text(format!("{} Step {number}: ", "#".repeat(level as usize))),
        None => t.text(format!("**Step {number}: ")),
    };
    t.hole("title", "title");
    if heading.is_none() {
        t.text("**");
    }
    t.text(format!("{eol}{eol}"))
        .hole("what to do", "what to do")
        .text(format!("{eol}{eol}- Time: ~"))
        // Never an invented estimate: a tab stop, or `?` that DP022 keeps flagging.
        .hole("5", "?")
        .text(" minutes");
    let label = format!("Step {number}");
    Some(Completions {
        items: vec![Item {
            label: label.clone(),
            kind: ItemKind::Step,
            detail: Some("next step with a time line".into()),
            documentation: None,
            filter: format!("**{label}"),
            edit: Edit {
                range: offset - typed.len()..offset,
                text: t.render(env.snippets),
            },
            snippet: env.snippets,
        }],
        incomplete: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::apply;
    use crate::ide::test_support::{cursor, snapshot};
    use crate::index::SpecEntry;

    fn index() -> SpecIndex {
        let e = |id: &str, title: &str, kind: &str| SpecEntry {
            id: id.into(),
            path: format!("/ws/{id}.md").into(),
            display: format!("{id}.md"),
            title: Some(title.into()),
            kind: Some(kind.into()),
            owner: None,
            summary: None,
        };
        SpecIndex::from_entries([
            e("CMP-001", "Export service", "component"),
            e("CMP-002", "Billing", "component"),
            e("DES-001", "Export pipeline", "design"),
        ])
    }

    fn env(snippets: bool) -> Env {
        Env {
            snippets,
            sections: crate::config::Config::default().sections.required,
            max_specs: 100,
        }
    }

    fn complete_at(marked: &str, snippets: bool) -> (String, Completions) {
        let (text, off) = cursor(marked);
        let c = complete(&snapshot(&text), off, &index(), &env(snippets));
        (text, c)
    }

    fn labels(c: &Completions) -> Vec<&str> {
        c.items.iter().map(|i| i.label.as_str()).collect()
    }

    /// The text after applying the item labelled `label`.
    fn accept(text: &str, c: &Completions, label: &str) -> String {
        let item = c.items.iter().find(|i| i.label == label).unwrap();
        apply(text, std::slice::from_ref(&item.edit))
    }

    #[test]
    fn spec_ids_after_a_bracket() {
        let (text, c) = complete_at("# T\n\n🚀 請求 See [$0\n", false);
        assert_eq!(labels(&c), ["CMP-001", "CMP-002", "DES-001"]);
        assert_eq!(
            c.items[0].detail.as_deref(),
            Some("Export service (component)")
        );
        assert_eq!(
            accept(&text, &c, "CMP-002"),
            "# T\n\n🚀 請求 See [CMP-002]\n"
        );
        // Filtered by prefix (any case) or by title.
        let (_, c) = complete_at("# T\n\nSee [cmp-00$0\n", false);
        assert_eq!(labels(&c), ["CMP-001", "CMP-002"]);
        let (text, c) = complete_at("# T\n\nSee [bill$0] now\n", false);
        assert_eq!(labels(&c), ["CMP-002"]);
        // An existing `]` is kept, not doubled.
        assert_eq!(accept(&text, &c, "CMP-002"), "# T\n\nSee [CMP-002] now\n");
    }

    #[test]
    fn no_spec_ids_without_a_bracket_or_in_code() {
        assert!(complete_at("# T\n\nSee CMP-0$0\n", false)
            .1
            .items
            .is_empty());
        assert!(complete_at("# T\n\nSee `[$0`\n", false).1.items.is_empty());
        assert!(complete_at("# T\n\n```\n[$0\n```\n", false)
            .1
            .items
            .is_empty());
    }

    #[test]
    fn only_as_many_ids_as_asked() {
        let (text, off) = cursor("# T\n\n[$0\n");
        let mut e = env(false);
        e.max_specs = 2;
        let c = complete(&snapshot(&text), off, &index(), &e);
        assert_eq!(c.items.len(), 2);
        assert!(c.incomplete);
    }

    #[test]
    fn rules_in_suppression_comments() {
        let (text, c) = complete_at("# T\n\n<!-- deployspec-disable DP010, $0 -->\n", false);
        assert_eq!(c.items.len(), Rule::ALL.len());
        assert_eq!(c.items[0].label, "DP001");
        assert_eq!(
            accept(&text, &c, "DP020"),
            "# T\n\n<!-- deployspec-disable DP010, DP020 -->\n"
        );
        // A name being typed: names.
        let (text, c) = complete_at("# T\n\n<!-- deployspec-disable-next-line step-$0\n", false);
        assert!(labels(&c).contains(&"step-without-time"));
        assert_eq!(
            accept(&text, &c, "step-without-time"),
            "# T\n\n<!-- deployspec-disable-next-line step-without-time\n"
        );
        // Not in other comments, nor right after the keyword, nor after the comment closed.
        assert!(complete_at("# T\n\n<!-- note $0 -->\n", false)
            .1
            .items
            .is_empty());
        assert!(complete_at("# T\n\n<!-- deployspec-disable$0 -->\n", false)
            .1
            .items
            .is_empty());
        assert!(
            complete_at("# T\n\n<!-- deployspec-disable DP010 --> $0\n", false)
                .1
                .items
                .is_empty()
        );
    }

    #[test]
    fn missing_sections_after_a_level_2_marker() {
        let (text, c) = complete_at("# T\n\n## Prerequisites\n\n- [x] a\n\n## Roll$0\n", false);
        assert_eq!(
            labels(&c),
            [
                "Deployment Procedure",
                "Rollback Procedure",
                "Deployment Success Criteria",
                "Monitoring and Alerting",
                "Troubleshooting"
            ]
        );
        assert_eq!(
            accept(&text, &c, "Rollback Procedure"),
            "# T\n\n## Prerequisites\n\n- [x] a\n\n## Rollback Procedure\n"
        );
        // Not on a level-3 heading, nor before the marker's space.
        assert!(complete_at("# T\n\n### Roll$0\n", false).1.items.is_empty());
    }

    #[test]
    fn time_values_after_the_label() {
        // Every preset is an estimate the analysis reads.
        for t in TIME_PRESETS {
            assert!(crate::analysis::time::parse_seconds(t).is_some(), "{t}");
        }
        let doc = "# T\n\n## Deployment Procedure\n\n**Step 1: 構築 🚀**\n\n- Time: ~$0\n";
        let (text, c) = complete_at(doc, false);
        assert_eq!(labels(&c), TIME_PRESETS);
        assert_eq!(
            accept(&text, &c, "~15 minutes"),
            "# T\n\n## Deployment Procedure\n\n**Step 1: 構築 🚀**\n\n- Time: ~15 minutes\n"
        );
        // A value already there is replaced; bold labels count.
        let (text, c) = complete_at("# T\n\n**Time**: ~1$0 min\n", false);
        assert_eq!(accept(&text, &c, "~1 hour"), "# T\n\n**Time**: ~1 hour\n");
        // Right after the colon, with nothing typed yet.
        let (text, c) = complete_at("# T\n\n- Time: $0\n", false);
        assert_eq!(
            accept(&text, &c, "~5 minutes"),
            "# T\n\n- Time: ~5 minutes\n"
        );
        // Not before the colon, not on other labels, not in code.
        assert!(complete_at("# T\n\n- Ti$0me: ~\n", false)
            .1
            .items
            .is_empty());
        assert!(complete_at("# T\n\n- Verify: ~$0\n", false)
            .1
            .items
            .is_empty());
        assert!(complete_at("# T\n\n```\n- Time: ~$0\n```\n", false)
            .1
            .items
            .is_empty());
    }

    #[test]
    fn step_snippet_with_the_next_number() {
        let doc = "# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\n- Time: 5 min\n\n**Step 2: B**\n\n$0\n\n## Rollback Procedure\n\nNone.\n";
        let (text, c) = complete_at(doc, true);
        assert_eq!(labels(&c), ["Step 3"]);
        assert!(c.items[0].snippet);
        assert_eq!(
            c.items[0].edit.text,
            "**Step 3: ${1:title}**\n\n${2:what to do}\n\n- Time: ~${3:5} minutes"
        );
        // Plain text for a client without snippets: a visible `?` estimate.
        let (_, c) = complete_at(doc, false);
        assert_eq!(
            c.items[0].edit.text,
            "**Step 3: title**\n\nwhat to do\n\n- Time: ~? minutes"
        );
        assert!(!text.is_empty());
        // Typed `**St` is replaced; heading steps give a heading.
        let (text, c) = complete_at(
            "# T\n\n## Deployment Procedure\n\n### Step 1: A\n\n**St$0\n",
            false,
        );
        assert!(accept(&text, &c, "Step 2").contains("\n### Step 2: title\n\nwhat to do"));
        // Not outside the procedure, nor on a line with other text.
        assert!(complete_at("# T\n\n## Prerequisites\n\n$0\n", true)
            .1
            .items
            .is_empty());
        assert!(
            complete_at("# T\n\n## Deployment Procedure\n\nSome words $0\n", true)
                .1
                .items
                .is_empty()
        );
    }
}
