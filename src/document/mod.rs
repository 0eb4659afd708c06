//! Temporary stand-in for the document module (being written separately).
#![allow(missing_docs)]

pub struct SourceFile {
    pub name: String,
    pub text: String,
}
pub struct Paragraph {
    pub text: String,
    pub line: usize,
}
pub struct DocWarning {
    pub file: String,
    pub line: usize,
    pub message: String,
}
pub struct Section {
    pub id: String,
    pub title: String,
    pub level: u8,
    pub file: String,
    pub line: usize,
    pub markdown: String,
    pub paragraphs: Vec<Paragraph>,
}
pub struct Document {
    pub sections: Vec<Section>,
    pub warnings: Vec<DocWarning>,
}
impl Document {
    pub fn parse(files: &[SourceFile]) -> Document {
        let mut sections: Vec<Section> = Vec::new();
        for f in files {
            for (i, line) in f.text.lines().enumerate() {
                let level = line.bytes().take_while(|b| *b == b'#').count();
                if (1..=6).contains(&level) && line[level..].starts_with(' ') {
                    let title = line[level..].trim().to_string();
                    sections.push(Section {
                        id: slugify(&title),
                        title,
                        level: level as u8,
                        file: f.name.clone(),
                        line: i + 1,
                        markdown: format!("{line}\n"),
                        paragraphs: vec![],
                    });
                } else if let Some(s) = sections.last_mut() {
                    s.markdown.push_str(line);
                    s.markdown.push('\n');
                }
            }
        }
        Document {
            sections,
            warnings: vec![],
        }
    }
    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }
    pub fn word_count(&self) -> usize {
        self.sections
            .iter()
            .map(|s| s.markdown.split_whitespace().count())
            .sum()
    }
}
pub fn slugify(title: &str) -> String {
    title.to_lowercase().replace(' ', "-")
}
