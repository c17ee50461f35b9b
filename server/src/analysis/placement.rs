//! What edits need from the model: where a missing section belongs, where the number of a
//! `Step N` mention sits. Plain lookups over the model's ranges.

use std::ops::Range;

use super::model::{SectionKind, SpecModel, StepRef};

/// Where a missing section belongs, relative to the sections present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Right after this section (index into [`SpecModel::sections`]).
    After(usize),
    /// Right before this section.
    Before(usize),
    /// At the end of the document: no section is present.
    End,
}

impl SpecModel {
    /// Where a section of `kind` belongs: after the present section that ends last among those
    /// that come before it in the canonical order (prerequisites, procedure, rollback, success
    /// criteria, monitoring, troubleshooting, post-deployment), else before the first present
    /// section that comes after it, else at the end.
    pub fn section_neighbour(&self, kind: SectionKind) -> Place {
        let order = |k: SectionKind| SectionKind::ALL.iter().position(|&x| x == k);
        let rank = order(kind);
        let before = (0..self.sections.len())
            .filter(|&i| order(self.sections[i].kind) < rank)
            .max_by_key(|&i| self.sections[i].range.end);
        if let Some(i) = before {
            return Place::After(i);
        }
        (0..self.sections.len())
            .filter(|&i| order(self.sections[i].kind) > rank)
            .min_by_key(|&i| self.headings[self.sections[i].heading].range.start)
            .map_or(Place::End, Place::Before)
    }

    /// The byte offset where a section of `kind` belongs in a text of `len` bytes (see
    /// [`SpecModel::section_neighbour`]). The offset is a section end or a heading start, so it
    /// always starts a line (or is `len`).
    pub fn section_place(&self, kind: SectionKind, len: usize) -> usize {
        match self.section_neighbour(kind) {
            Place::After(i) => self.sections[i].range.end,
            Place::Before(i) => self.headings[self.sections[i].heading].range.start,
            Place::End => len,
        }
    }

    /// The heading level a section of `kind` gets at its place: the level of the outermost
    /// section around its neighbour (a procedure's nested rollback counts as the procedure), so
    /// a document whose sections are H3s gets an H3; 2 when there is no section.
    pub fn section_level(&self, kind: SectionKind) -> u8 {
        let (Place::After(i) | Place::Before(i)) = self.section_neighbour(kind) else {
            return 2;
        };
        let r = &self.sections[i].range;
        self.sections
            .iter()
            .filter(|s| s.range.start <= r.start && s.range.end >= r.end)
            .map(|s| self.headings[s.heading].level)
            .min()
            .unwrap_or(2)
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
    fn missing_sections_take_the_level_of_the_sections_around() {
        let text = "# T\n\n### Before the release\n\n### Executing the release\n\n1. Go\n";
        let m = model_of(text);
        assert_eq!(m.section_neighbour(SectionKind::Rollback), Place::After(1));
        assert_eq!(m.section_level(SectionKind::Rollback), 3);
        // A procedure's nested rollback counts as the procedure: what follows it is an H2.
        let text = "# T\n\n## Deployment Procedure\n\n### Rollback\n\nx\n";
        let m = model_of(text);
        assert_eq!(
            m.section_neighbour(SectionKind::SuccessCriteria),
            Place::After(1)
        );
        assert_eq!(m.section_level(SectionKind::SuccessCriteria), 2);
        let m = model_of("no sections\n");
        assert_eq!(m.section_neighbour(SectionKind::Monitoring), Place::End);
        assert_eq!(m.section_level(SectionKind::Monitoring), 2);
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
