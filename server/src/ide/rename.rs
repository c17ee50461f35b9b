//! Rename: a spec ID → every mention of it in the workspace, the defining file's front matter
//! `id:` and the file's name; a step number → that step and the mentions that resolve to it, in
//! its document. `prepare` says what can be renamed, and why not when it cannot: the reason is
//! shown by the editor, so it says what to do instead.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::analysis::model::{spec_id_of, SpecModel};
use crate::index::SpecIndex;

use super::at::{step_numbered, target_at, Target};
use super::{Edit, Snapshot};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Renameable {
    /// A spec ID mention: the ID (upper-cased) and the mention's range.
    Spec { id: String, range: Range<usize> },
    /// A step (index into the model's steps) and the digits under the cursor.
    Step { step: usize, range: Range<usize> },
}

impl Renameable {
    pub fn range(&self) -> &Range<usize> {
        match self {
            Renameable::Spec { range, .. } | Renameable::Step { range, .. } => range,
        }
    }
}

/// What the cursor is on, if it can be renamed; otherwise why not.
pub fn prepare(snap: &Snapshot, offset: usize, index: &SpecIndex) -> Result<Renameable, String> {
    const WHAT: &str = "only a spec ID (like [CMP-001]) or a step number (Step 3) can be renamed";
    match target_at(snap, offset) {
        Some(Target::Spec { id, range }) => {
            let defs = index.lookup(&id);
            if defs.len() > 1 {
                let files: Vec<&str> = defs.iter().map(|e| e.display.as_str()).collect();
                return Err(format!(
                    "{id} is defined by {} files ({}): give one of them another ID first",
                    defs.len(),
                    files.join(", ")
                ));
            }
            Ok(Renameable::Spec { id, range })
        }
        Some(Target::Step {
            step: Some(i),
            range,
            ..
        }) => {
            let m = snap.model();
            // The digits: of the mention under the cursor, or of the step's own title.
            let mention = m.step_refs.iter().find(|r| r.range == range);
            let digits = mention.map_or_else(
                || m.steps[i].number_range.clone(),
                |r| r.number_range(&snap.text),
            );
            // A mention inside another step's title ("Revert the migrations of Step 2") names
            // the step it numbers, not the one whose title holds it.
            let step = match mention {
                Some(r) if digits != m.steps[i].number_range => {
                    step_numbered(&m.steps, r.number, r.rollback).ok_or_else(|| {
                        format!(
                        "no step is numbered {} in this document, so there is nothing to renumber",
                        r.number
                    )
                    })?
                }
                _ => i,
            };
            Ok(Renameable::Step {
                step,
                range: digits,
            })
        }
        Some(Target::Step {
            number, step: None, ..
        }) => Err(format!(
            "no step is numbered {number} in this document, so there is nothing to renumber"
        )),
        Some(Target::Rule { .. }) => Err(format!("rule codes cannot be renamed: {WHAT}")),
        None => Err(WHAT[..1].to_uppercase() + &WHAT[1..]),
    }
}

/// The new ID, validated: a well-formed ID with a known prefix that no spec has yet.
pub fn new_spec_id(
    old: &str,
    new: &str,
    prefixes: &[String],
    index: &SpecIndex,
) -> Result<String, String> {
    let Some(id) = spec_id_of(new) else {
        return Err(format!(
            "`{}` is not a spec ID: write PREFIX-NUMBER, like {}",
            new.trim(),
            example(old)
        ));
    };
    let prefix = id.split('-').next().unwrap_or_default();
    if !prefixes.iter().any(|p| p == prefix) && !index.has_prefix(prefix) {
        return Err(format!(
            "{prefix} is not a known spec prefix (known: {}); add it to `[references] prefixes` in .deployspec.toml first",
            prefixes.join(", ")
        ));
    }
    if id == old {
        return Err(format!("the spec is already called {id}"));
    }
    if let Some(e) = index.lookup(&id).first() {
        return Err(format!(
            "{id} already exists ({}): pick an unused ID",
            e.display
        ));
    }
    Ok(id)
}

/// An ID of the same prefix as `old`, for the messages.
fn example(old: &str) -> String {
    match old.split_once('-') {
        Some((p, n)) => format!("{p}-{:0width$}", 12, width = n.len()),
        None => "CMP-012".into(),
    }
}

/// The edits renaming `old` to `new` in one document: every mention (written in lower case
/// when the mention was) and the front matter's `id:` value when it names `old`.
pub fn spec_edits(text: &str, m: &SpecModel, old: &str, new: &str) -> Vec<Edit> {
    let mut edits: Vec<Edit> = m
        .spec_refs
        .iter()
        .filter(|r| &*r.id == old)
        .map(|r| Edit {
            range: r.range.clone(),
            text: same_case(&text[r.range.clone()], new),
        })
        .collect();
    if let Some(r) = front_matter_id(text, m, old) {
        edits.push(Edit {
            text: same_case(&text[r.clone()], new),
            range: r,
        });
    }
    edits.sort_by_key(|e| e.range.start);
    edits
}

/// The range of the value of the front matter's `id:` line when it is `old`.
pub fn front_matter_id(text: &str, m: &SpecModel, old: &str) -> Option<Range<usize>> {
    let r = crate::index::front_id_range(text, m.front_matter.as_ref()?)?;
    (spec_id_of(&text[r.clone()]).as_deref() == Some(old)).then_some(r)
}

fn same_case(written: &str, new: &str) -> String {
    if written.chars().any(|c| c.is_ascii_lowercase()) {
        new.to_ascii_lowercase()
    } else {
        new.to_string()
    }
}

/// The path the defining file takes when its name starts with the old ID
/// (`cmp-001-export.md` → `cmp-012-export.md`); `None` when the name does not carry it.
pub fn renamed_path(path: &Path, old: &str, new: &str) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let head = name.get(..old.len())?;
    let rest = &name[old.len()..];
    if !head.eq_ignore_ascii_case(old) || !(rest.starts_with('-') || rest.starts_with('.')) {
        return None;
    }
    Some(path.with_file_name(format!("{}{rest}", same_case(head, new))))
}

/// Whether the file's ID comes from its name only (no front matter `id:`): then renaming the
/// mentions without renaming the file would break every one of them.
pub fn id_from_name_only(m: &SpecModel) -> bool {
    m.front_matter
        .as_ref()
        .and_then(|f| f.get("id"))
        .and_then(spec_id_of)
        .is_none()
}

/// The edits renumbering step `step` to `new`: its own number and the mentions that resolve to
/// it. Refused when the new name is not a number or another step of the same part has it.
pub fn step_edits(snap: &Snapshot, step: usize, new: &str) -> Result<Vec<Edit>, String> {
    let m = snap.model();
    let s = &m.steps[step];
    let digits = new
        .trim()
        .strip_prefix("Step ")
        .or_else(|| new.trim().strip_prefix("step "))
        .unwrap_or(new.trim());
    let n: u32 = digits.parse().map_err(|_| {
        format!(
            "`{}` is not a step number: type the new number, like {}",
            new.trim(),
            s.number + 1
        )
    })?;
    if n == s.number {
        return Err(format!("this step is already Step {n}"));
    }
    if let Some(other) = m
        .steps
        .iter()
        .find(|o| o.number == n && o.in_rollback == s.in_rollback)
    {
        return Err(format!(
            "Step {n} already exists (\"{}\"): renumber that one first, or use the \"Renumber steps\" fix",
            other.title
        ));
    }
    let mut edits = vec![Edit {
        range: s.number_range.clone(),
        text: n.to_string(),
    }];
    for r in &m.step_refs {
        let digits = r.number_range(&snap.text);
        // A step's own number is not a mention; "Revert the migrations of Step 2" in another
        // step's title is.
        if m.steps.iter().any(|o| o.number_range == digits) {
            continue;
        }
        if step_numbered(&m.steps, r.number, r.rollback) == Some(step) {
            edits.push(Edit {
                range: digits,
                text: n.to_string(),
            });
        }
    }
    edits.sort_by_key(|e| e.range.start);
    Ok(edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::apply;
    use crate::ide::test_support::{cursor, entry, snapshot};

    fn index() -> SpecIndex {
        let e = entry;
        SpecIndex::from_entries([
            e("CMP-001", "/ws/cmp-001-a.md"),
            e("CMP-002", "/ws/cmp-002-b.md"),
            e("CMP-003", "/ws/x/cmp-003-c.md"),
            e("CMP-003", "/ws/y/cmp-003-c.md"),
        ])
    }

    fn prep(marked: &str) -> Result<(String, Renameable), String> {
        let (text, off) = cursor(marked);
        let r = prepare(&snapshot(&text), off, &index())?;
        Ok((text[r.range().clone()].to_string(), r))
    }

    const STEPS: &str = "# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\n**Step 2: B after Step 1**\n\n🚀 請求 if B fails, repeat Step 1.\n\n## Rollback\n\n**Step 1: Undo A**\n\nRoll back with Step 1.\n";

    #[test]
    fn prepare_accepts_ids_and_step_numbers() {
        let (got, r) = prep("# T\n\n🚀 請求 [cmp-0$001]\n").unwrap();
        assert_eq!(got, "cmp-001");
        assert!(matches!(r, Renameable::Spec { id, .. } if id == "CMP-001"));
        // An ID no spec defines can still be renamed everywhere it is written.
        assert!(prep("# T\n\n[CMP-0$009]\n").is_ok());
        // A mention → its digits; a step's title → the title's digits.
        let marked = STEPS.replace("repeat Step 1", "repeat St$0ep 1");
        let (got, r) = prep(&marked).unwrap();
        assert_eq!(got, "1");
        assert!(matches!(r, Renameable::Step { step: 0, .. }));
        let marked = STEPS.replace("after Step 1", "after St$0ep 1");
        let (got, r) = prep(&marked).unwrap();
        assert_eq!(got, "1");
        assert!(matches!(r, Renameable::Step { step: 0, .. }), "{r:?}");
        let marked = STEPS.replace("Step 2: B", "Step 2: $0B");
        let (got, r) = prep(&marked).unwrap();
        assert_eq!(got, "2");
        assert!(matches!(r, Renameable::Step { step: 1, .. }));
    }

    #[test]
    fn prepare_refuses_with_a_reason() {
        let plain = prep("# T\n\nPlain te$0xt.\n").unwrap_err();
        assert!(plain.starts_with("Only a spec ID"), "{plain}");
        let code = prep("# T\n\n`[CMP-0$001]`\n").unwrap_err();
        assert!(code.starts_with("Only"), "{code}");
        let rule = prep("# T\n\n<!-- deployspec-disable DP0$020 -->\n").unwrap_err();
        assert!(rule.starts_with("rule codes cannot be renamed"), "{rule}");
        let missing =
            prep("# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\nSee St$0ep 7.\n").unwrap_err();
        assert!(missing.contains("no step is numbered 7"), "{missing}");
        let dup = prep("# T\n\n[CMP-00$03]\n").unwrap_err();
        assert!(dup.contains("defined by 2 files"), "{dup}");
    }

    #[test]
    fn new_ids_are_validated() {
        let prefixes = ["CMP".to_string(), "DES".into(), "DEPLOY".into()];
        let ok = |new: &str| new_spec_id("CMP-001", new, &prefixes, &index());
        assert_eq!(ok("cmp-042").unwrap(), "CMP-042");
        assert_eq!(ok(" DES-7 ").unwrap(), "DES-7");
        assert!(ok("CMP-42x").unwrap_err().contains("like CMP-012"));
        assert!(ok("export").unwrap_err().contains("not a spec ID"));
        assert!(ok("ADR-001")
            .unwrap_err()
            .contains("ADR is not a known spec prefix"));
        assert!(ok("CMP-002")
            .unwrap_err()
            .contains("already exists (/ws/cmp-002-b.md)"));
        assert!(ok("cmp-001").unwrap_err().contains("already called"));
    }

    #[test]
    fn spec_edits_cover_mentions_and_front_matter() {
        let text = "---\nid: \"cmp-001\"\n---\n\n# T 🚀\n\n請求 [CMP-001], [cmp-001], `[CMP-001]`, [CMP-0011].\n";
        let snap = snapshot(text);
        let edits = spec_edits(text, snap.model(), "CMP-001", "CMP-042");
        assert_eq!(
            apply(text, &edits),
            "---\nid: \"cmp-042\"\n---\n\n# T 🚀\n\n請求 [CMP-042], [cmp-042], `[CMP-001]`, [CMP-0011].\n"
        );
        assert!(!id_from_name_only(snap.model()));
        let plain = "# T\n\n[CMP-002]\n";
        let snap = snapshot(plain);
        assert!(spec_edits(plain, snap.model(), "CMP-001", "CMP-042").is_empty());
        assert!(id_from_name_only(snap.model()));
        // Front matter naming another ID is left alone.
        let other = "---\nid: CMP-005\n---\n\n# T\n\n[CMP-001]\n";
        let snap = snapshot(other);
        assert_eq!(
            spec_edits(other, snap.model(), "CMP-001", "CMP-042").len(),
            1
        );
    }

    #[test]
    fn file_names_carry_the_id() {
        let p = |s: &str| renamed_path(Path::new(s), "CMP-001", "CMP-042");
        assert_eq!(
            p("/ws/c/cmp-001-export.md"),
            Some(PathBuf::from("/ws/c/cmp-042-export.md"))
        );
        assert_eq!(p("/ws/CMP-001.md"), Some(PathBuf::from("/ws/CMP-042.md")));
        assert_eq!(p("/ws/cmp-0011-x.md"), None);
        assert_eq!(p("/ws/export.md"), None);
        assert_eq!(p("/ws/c.md"), None);
    }

    #[test]
    fn steps_renumber_with_their_mentions() {
        let snap = snapshot(STEPS);
        let edits = step_edits(&snap, 0, "5").unwrap();
        // The forward step 1 and its mention; the rollback step 1 and its mention stay.
        assert_eq!(
            apply(STEPS, &edits),
            STEPS
                .replace("**Step 1: A**", "**Step 5: A**")
                .replace("repeat Step 1", "repeat Step 5")
                .replace("B after Step 1", "B after Step 5")
        );
        assert_eq!(step_edits(&snap, 0, "Step 5").unwrap(), edits);
        assert!(step_edits(&snap, 0, "2")
            .unwrap_err()
            .contains("Step 2 already exists (\"B after Step 1\")"));
        assert!(step_edits(&snap, 0, "five")
            .unwrap_err()
            .contains("not a step number"));
        assert!(step_edits(&snap, 0, "1").unwrap_err().contains("already"));
        // The rollback step may take a number the forward part has.
        let rb = step_edits(&snap, 2, "2").unwrap();
        assert_eq!(
            apply(STEPS, &rb),
            STEPS
                .replace("**Step 1: Undo A**", "**Step 2: Undo A**")
                .replace("Roll back with Step 1", "Roll back with Step 2")
        );
    }
}
