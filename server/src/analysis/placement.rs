//! What edits need from the model: where a missing section belongs, where the number of a
//! `Step N` mention sits. Plain lookups over the model's ranges.

use std::ops::Range;

use super::model::{SectionKind, SpecModel, StepRef};

impl SpecModel {
    /// The byte offset where a `## …` section of `kind` belongs in a text of `len` bytes: after
    /// the last present section that comes before it in the canonical order (prerequisites,
    /// procedure, rollback, success criteria, monitoring, troubleshooting, post-deployment),
    /// else before the first present section that comes after it, else at the end. The offset
    /// is a section end or a heading start, so it always starts a line (or is `len`).
    pub fn section_place(&self, kind: SectionKind, len: usize) -> usize {
        let order = |k: SectionKind| SectionKind::ALL.iter().position(|&x| x == k);
        let rank = order(kind);
        let before = self
            .sections
            .iter()
            .filter(|s| order(s.kind) < rank)
            .map(|s| s.range.end)
            .max();
        if let Some(end) = before {
            return end;
        }
        self.sections
            .iter()
            .filter(|s| order(s.kind) > rank)
            .map(|s| self.headings[s.heading].range.start)
            .min()
            .unwrap_or(len)
    }

    /// The steps numbered `n`.
    pub fn steps_numbered(&self, n: u32) -> impl Iterator<Item = &super::model::Step> {
        self.steps.iter().filter(move |s| s.number == n)
    }
}

impl StepRef {
    /// The digits of `Step N` (what renumbering replaces); `text` is the analysed text.
    pub fn number_range(&self, text: &str) -> Range<usize> {
        let words = &text[self.range.clone()];
        let digits = words.bytes().rev().take_while(u8::is_ascii_digit).count();
        self.range.end - digits..self.range.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{document, model};

    fn model_of(text: &str) -> SpecModel {
        model::build(
            text,
            document::parse_whole(text),
            model::SectionHeadings::built_in(),
        )
    }

    #[test]
    fn missing_sections_go_to_their_canonical_place() {
        let text = "# T\n\n## Prerequisites\n\n- [x] a\n\n## Deployment Procedure\n\n**Step 1: Go**\n\n## Monitoring\n\nDashboards.\n";
        let m = model_of(text);
        let monitoring = text.find("## Monitoring").unwrap();
        // Rollback and success criteria come right after the procedure, before monitoring.
        assert_eq!(
            m.section_place(SectionKind::Rollback, text.len()),
            monitoring
        );
        assert_eq!(
            m.section_place(SectionKind::SuccessCriteria, text.len()),
            monitoring
        );
        // Troubleshooting after monitoring: the end of the text.
        assert_eq!(
            m.section_place(SectionKind::Troubleshooting, text.len()),
            text.len()
        );
        let only_monitoring = "# T\n\n## Monitoring\n\nx\n";
        let m = model_of(only_monitoring);
        assert_eq!(
            m.section_place(SectionKind::Prerequisites, only_monitoring.len()),
            only_monitoring.find("## Monitoring").unwrap()
        );
    }

    #[test]
    fn step_mention_digits() {
        let text = "# T\n\n## Deployment Procedure\n\n**Step 1: Go**\n\nSee Step 12 then.\n";
        let m = model_of(text);
        let r = &m.step_refs[0];
        assert_eq!(&text[r.number_range(text)], "12");
        assert_eq!(&text[m.steps[0].number_range.clone()], "1");
    }
}
