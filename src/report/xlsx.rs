//! The matrix as an Excel workbook (.xlsx, through `rust_xlsxwriter`): one sheet, a
//! header row of column names in the case's language, then one row per comment.
//!
//! Every cell is written as a string cell, never as a formula, so a comment that starts
//! with `=` shows as text (no `'` prefix needed, unlike CSV). The header row is frozen
//! and carries an autofilter; columns have fixed widths and wrap; printing is A4
//! landscape, one page wide, the header row repeated on every page. The workbook's
//! creation date is the report's date (the clock's today), so the same records and the
//! same day give the same bytes.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
};

use super::Matrix;

/// The longest text a cell may hold (Excel's limit, in characters).
pub const MAX_CELL_CHARS: usize = 32_767;

/// Why the workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    /// A comment's cell is longer than a cell may hold.
    #[error(
        "Comment {comment}: its \"{column}\" has {chars} characters; a spreadsheet cell holds at most {MAX_CELL_CHARS}."
    )]
    TooLong {
        /// The comment's id.
        comment: String,
        /// The column's name.
        column: String,
        /// How long the text is.
        chars: usize,
    },
    /// The writer failed (should not happen with checked input).
    #[error("Could not write the spreadsheet: {0}")]
    Writer(String),
}

impl From<rust_xlsxwriter::XlsxError> for XlsxError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        XlsxError::Writer(e.to_string())
    }
}

/// The widths of the columns (section, id, party, name, quote, comment, proposal,
/// decision, reasoning), in Excel's character units.
const WIDTHS: [f64; 9] = [22.0, 11.0, 8.0, 26.0, 30.0, 50.0, 36.0, 20.0, 46.0];

/// Excel's code for A4 paper.
const A4: u8 = 9;

/// The matrix as the bytes of an .xlsx file: a sheet named [`super::Labels::sheet`],
/// one row per comment (in the report's order) under a header row of
/// [`super::Labels::sheet_header`].
pub fn xlsx(m: &Matrix) -> Result<Vec<u8>, XlsxError> {
    let l = &m.labels;
    let header = l.sheet_header();
    let mut rows: Vec<[&str; 9]> = Vec::new();
    for g in &m.groups {
        for r in &g.rows {
            let cells = [
                g.title.as_str(),
                &r.id,
                &r.party,
                &r.party_name,
                &r.quote,
                &r.text,
                &r.proposal,
                &r.decision,
                &r.reasoning,
            ];
            for (cell, column) in cells.iter().zip(header) {
                let chars = cell.chars().count();
                if chars > MAX_CELL_CHARS {
                    return Err(XlsxError::TooLong {
                        comment: r.id.clone(),
                        column: column.to_string(),
                        chars,
                    });
                }
            }
            rows.push(cells);
        }
    }

    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        u16::try_from(m.date.year()).unwrap_or(1900),
        u8::try_from(m.date.month()).unwrap_or(1),
        u8::try_from(m.date.day()).unwrap_or(1),
    )?;
    book.set_properties(
        &DocProperties::new()
            .set_title(&m.title)
            .set_author(&m.author)
            .set_creation_datetime(&created),
    );
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xEEEEEE))
        .set_border(FormatBorder::Thin);
    let body = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let sheet = book.add_worksheet();
    sheet.set_name(l.sheet)?;
    for (col, (name, width)) in (0u16..).zip(header.iter().zip(WIDTHS)) {
        sheet.set_column_width(col, width)?;
        sheet.write_string_with_format(0, col, *name, &head)?;
    }
    for (row, cells) in (1u32..).zip(&rows) {
        for (col, cell) in (0u16..).zip(cells) {
            sheet.write_string_with_format(row, col, *cell, &body)?;
        }
    }
    let last_row = u32::try_from(rows.len())
        .map_err(|_| XlsxError::Writer(format!("{} comments do not fit in a sheet", rows.len())))?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, 8)?;
    sheet
        .set_landscape()
        .set_paper_size(A4)
        .set_print_fit_to_pages(1, 0)
        .set_footer("&C&P / &N");
    sheet.set_repeat_rows(0, 0)?;
    Ok(book.save_to_buffer()?)
}
