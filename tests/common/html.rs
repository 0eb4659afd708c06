//! An HTML5 parser for the tests: html5ever's tree builder (the parsing algorithm of
//! the HTML standard, as browsers run it) into a small arena, so that a test can fail
//! on any parse error and then ask the tree what a browser would see.

use std::borrow::Cow;
use std::cell::RefCell;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{
    ElemName, ElementFlags, NodeOrText, QuirksMode, TreeBuilderOpts, TreeSink,
};
use html5ever::{Attribute, LocalName, Namespace, ParseOpts, QualName, parse_document};

/// One node of a parsed page.
#[derive(Debug, Clone)]
pub enum Node {
    /// The document (and a template's contents).
    Document,
    /// The `<!DOCTYPE>`.
    Doctype(String),
    /// An element, with its attributes in order.
    Element {
        name: QualName,
        attrs: Vec<(String, String)>,
        template_contents: Option<usize>,
    },
    /// Text.
    Text(String),
    /// A comment or a processing instruction.
    Comment,
}

/// A parsed page: its nodes (the document is node 0) and the parser's errors.
#[derive(Debug)]
pub struct Page {
    nodes: Vec<Node>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    /// What the parser said was wrong, in order.
    pub errors: Vec<String>,
    /// Whether the page made the parser switch to quirks mode (no or an old doctype).
    pub quirks: bool,
}

impl Page {
    /// Parses `html`; fails the test if the parser reports any error or the page is
    /// in quirks mode, listing the errors.
    #[track_caller]
    pub fn parse(html: &str) -> Page {
        let page = Page::parse_lenient(html);
        assert!(
            page.errors.is_empty() && !page.quirks,
            "the page is not valid HTML5 ({} error(s){}):\n{}\n--- page ---\n{}",
            page.errors.len(),
            if page.quirks { ", quirks mode" } else { "" },
            page.errors.join("\n"),
            html.chars().take(4000).collect::<String>()
        );
        page
    }

    /// Parses `html` and keeps the errors, for a test that expects some.
    pub fn parse_lenient(html: &str) -> Page {
        let opts = ParseOpts {
            tree_builder: TreeBuilderOpts {
                exact_errors: true,
                ..TreeBuilderOpts::default()
            },
            tokenizer: html5ever::tokenizer::TokenizerOpts {
                exact_errors: true,
                ..Default::default()
            },
        };
        parse_document(Sink::default(), opts).one(StrTendril::from(html))
    }

    /// Every element named `tag` (HTML namespace), in document order.
    pub fn elements(&self, tag: &str) -> Vec<usize> {
        self.descendants(0)
            .into_iter()
            .filter(
                |&n| matches!(&self.nodes[n], Node::Element { name, .. } if &*name.local == tag),
            )
            .collect()
    }

    /// Every element named `tag` inside node `n`, in document order.
    pub fn elements_in(&self, n: usize, tag: &str) -> Vec<usize> {
        self.descendants(n)
            .into_iter()
            .filter(|&d| d != n && self.tag(d) == tag)
            .collect()
    }

    /// Every element, in document order.
    pub fn all_elements(&self) -> Vec<usize> {
        self.descendants(0)
            .into_iter()
            .filter(|&n| matches!(self.nodes[n], Node::Element { .. }))
            .collect()
    }

    /// The tag name of element `n`.
    pub fn tag(&self, n: usize) -> &str {
        match &self.nodes[n] {
            Node::Element { name, .. } => &name.local,
            _ => "",
        }
    }

    /// The value of attribute `attr` of element `n`.
    pub fn attr(&self, n: usize, attr: &str) -> Option<&str> {
        match &self.nodes[n] {
            Node::Element { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| k == attr)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }

    /// The elements whose `class` holds `class`.
    pub fn with_class(&self, class: &str) -> Vec<usize> {
        self.all_elements()
            .into_iter()
            .filter(|&n| {
                self.attr(n, "class")
                    .is_some_and(|c| c.split_whitespace().any(|c| c == class))
            })
            .collect()
    }

    /// The text of node `n` and everything in it, as a browser's `textContent`.
    pub fn text(&self, n: usize) -> String {
        self.descendants(n)
            .into_iter()
            .filter_map(|d| match &self.nodes[d] {
                Node::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The page's `<html lang>`.
    pub fn lang(&self) -> Option<&str> {
        self.elements("html")
            .first()
            .and_then(|&n| self.attr(n, "lang"))
    }

    /// Every `id` on the page, in document order (repeats included).
    pub fn ids(&self) -> Vec<&str> {
        self.all_elements()
            .into_iter()
            .filter_map(|n| self.attr(n, "id"))
            .collect()
    }

    /// `n` and every node inside it, in document order.
    fn descendants(&self, n: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![n];
        while let Some(x) = stack.pop() {
            out.push(x);
            if let Node::Element {
                template_contents: Some(t),
                ..
            } = self.nodes[x]
            {
                stack.push(t);
            }
            stack.extend(self.children[x].iter().rev());
        }
        out
    }
}

/// The tree builder's side: an arena of nodes behind a `RefCell` (html5ever's sink
/// methods take `&self`).
#[derive(Default)]
struct Sink {
    page: RefCell<Arena>,
}

#[derive(Default)]
struct Arena {
    nodes: Vec<Node>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    errors: Vec<String>,
    quirks: bool,
}

impl Arena {
    fn add(&mut self, node: Node) -> usize {
        if self.nodes.is_empty() && !matches!(node, Node::Document) {
            self.add(Node::Document);
        }
        self.nodes.push(node);
        self.parent.push(None);
        self.children.push(Vec::new());
        self.nodes.len() - 1
    }

    fn ensure_document(&mut self) {
        if self.nodes.is_empty() {
            self.add(Node::Document);
        }
    }

    fn detach(&mut self, n: usize) {
        if let Some(p) = self.parent[n].take() {
            self.children[p].retain(|&c| c != n);
        }
    }

    /// Inserts `child` into `parent` at `index` (the end when `None`), merging text
    /// with a text node next to it, as the standard says.
    fn insert(&mut self, parent: usize, index: Option<usize>, child: NodeOrText<usize>) {
        let at = index.unwrap_or(self.children[parent].len());
        match child {
            NodeOrText::AppendText(t) => {
                if let Some(&prev) = at.checked_sub(1).and_then(|i| self.children[parent].get(i))
                    && let Node::Text(s) = &mut self.nodes[prev]
                {
                    s.push_str(&t);
                    return;
                }
                let n = self.add(Node::Text(t.to_string()));
                self.parent[n] = Some(parent);
                self.children[parent].insert(at, n);
            }
            NodeOrText::AppendNode(n) => {
                self.detach(n);
                let at = at.min(self.children[parent].len());
                self.parent[n] = Some(parent);
                self.children[parent].insert(at, n);
            }
        }
    }
}

/// An element's name as the tree builder asks for it (owned: the arena is borrowed
/// only inside each call).
#[derive(Debug)]
pub struct Name(QualName);

impl ElemName for Name {
    fn ns(&self) -> &Namespace {
        &self.0.ns
    }

    fn local_name(&self) -> &LocalName {
        &self.0.local
    }
}

impl TreeSink for Sink {
    type Handle = usize;
    type Output = Page;
    type ElemName<'a> = Name;

    fn finish(self) -> Page {
        let mut a = self.page.into_inner();
        a.ensure_document();
        Page {
            nodes: a.nodes,
            parent: a.parent,
            children: a.children,
            errors: a.errors,
            quirks: a.quirks,
        }
    }

    fn parse_error(&self, msg: Cow<'static, str>) {
        self.page.borrow_mut().errors.push(msg.into_owned());
    }

    fn get_document(&self) -> usize {
        self.page.borrow_mut().ensure_document();
        0
    }

    fn elem_name<'a>(&'a self, target: &'a usize) -> Name {
        match &self.page.borrow().nodes[*target] {
            Node::Element { name, .. } => Name(name.clone()),
            other => panic!("the tree builder asked for the name of {other:?}"),
        }
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> usize {
        let mut a = self.page.borrow_mut();
        let template_contents = flags.template.then(|| a.add(Node::Document));
        a.add(Node::Element {
            name,
            attrs: attrs
                .into_iter()
                .map(|at| (at.name.local.to_string(), at.value.to_string()))
                .collect(),
            template_contents,
        })
    }

    fn create_comment(&self, _text: StrTendril) -> usize {
        self.page.borrow_mut().add(Node::Comment)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> usize {
        self.page.borrow_mut().add(Node::Comment)
    }

    fn append(&self, parent: &usize, child: NodeOrText<usize>) {
        self.page.borrow_mut().insert(*parent, None, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &usize,
        prev_element: &usize,
        child: NodeOrText<usize>,
    ) {
        let has_parent = self.page.borrow().parent[*element].is_some();
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        _public_id: StrTendril,
        _system_id: StrTendril,
    ) {
        let mut a = self.page.borrow_mut();
        a.ensure_document();
        let n = a.add(Node::Doctype(name.to_string()));
        a.insert(0, None, NodeOrText::AppendNode(n));
    }

    fn get_template_contents(&self, target: &usize) -> usize {
        match &self.page.borrow().nodes[*target] {
            Node::Element {
                template_contents: Some(t),
                ..
            } => *t,
            other => panic!("the tree builder asked for the template contents of {other:?}"),
        }
    }

    fn same_node(&self, x: &usize, y: &usize) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.page.borrow_mut().quirks = mode != QuirksMode::NoQuirks;
    }

    fn append_before_sibling(&self, sibling: &usize, child: NodeOrText<usize>) {
        let mut a = self.page.borrow_mut();
        let Some(parent) = a.parent[*sibling] else {
            return;
        };
        let index = a.children[parent].iter().position(|c| c == sibling);
        a.insert(parent, index, child);
    }

    fn add_attrs_if_missing(&self, target: &usize, new: Vec<Attribute>) {
        if let Node::Element { attrs, .. } = &mut self.page.borrow_mut().nodes[*target] {
            for at in new {
                let key = at.name.local.to_string();
                if !attrs.iter().any(|(k, _)| *k == key) {
                    attrs.push((key, at.value.to_string()));
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &usize) {
        self.page.borrow_mut().detach(*target);
    }

    fn reparent_children(&self, node: &usize, new_parent: &usize) {
        let mut a = self.page.borrow_mut();
        let moved = std::mem::take(&mut a.children[*node]);
        for &c in &moved {
            a.parent[c] = Some(*new_parent);
        }
        a.children[*new_parent].extend(moved);
    }
}

#[test]
fn the_parser_reports_errors_and_builds_the_tree() {
    let ok = Page::parse(
        "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"><title>T</title></head>\
         <body><p id=\"a\">Hei <b>du</b></p><table><thead><tr><th>x</th></tr></thead></table></body></html>",
    );
    assert_eq!(ok.lang(), Some("nb"));
    assert_eq!(ok.ids(), ["a"]);
    let p = ok.elements("p")[0];
    assert_eq!(ok.text(p), "Hei du");
    assert_eq!(ok.tag(p), "p");
    assert_eq!(ok.elements("th").len(), 1);
    for bad in [
        "<html><body>no doctype</body></html>",
        "<!DOCTYPE html><html><body><p>a</div></body></html>",
        "<!DOCTYPE html><html><body><table><tr><td>a</td></tr><p>x</p></table></body></html>",
        "<!DOCTYPE html><html><body><p a=1 a=2>x</p></body></html>",
    ] {
        let page = Page::parse_lenient(bad);
        assert!(
            !page.errors.is_empty() || page.quirks,
            "no error reported for {bad}"
        );
    }
}
