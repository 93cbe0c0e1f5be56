package iostreams

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"golang.org/x/term"
)

// TableStyled reports whether Table draws a bordered table: stdout is a
// terminal and colour is allowed (no NO_COLOR, TERM=dumb or --no-color).
func (s *IOStreams) TableStyled() bool { return s.outTTY && !s.noColor }

// ErrTableStyled is TableStyled for stderr, where reports for people (as
// opposed to a command's output) go.
func (s *IOStreams) ErrTableStyled() bool { return s.errTTY && !s.noColor }

var (
	styleHeader = lipgloss.NewStyle().Bold(true).Padding(0, 1)
	styleCell   = lipgloss.NewStyle().Padding(0, 1)
	styleBorder = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
)

// Table writes rows under headers to stdout. On a terminal it is a lipgloss
// table with a rounded border and a bold header; otherwise (a pipe, a file,
// NO_COLOR) it is plain text in columns two spaces apart, with the headers
// in capitals, which is what scripts and tests read. A cell may carry a
// Styled text; its escape codes only appear when the table is styled.
func (s *IOStreams) Table(headers []string, rows [][]string) error {
	return writeTable(s.Out, s.TableStyled(), s.width(s.Out), headers, rows)
}

// ErrTable is Table on stderr, styled when ErrTableStyled. A cell may hold
// several lines when the table is styled.
func (s *IOStreams) ErrTable(headers []string, rows [][]string) error {
	return writeTable(s.ErrOut, s.ErrTableStyled(), s.width(s.ErrOut), headers, rows)
}

// width is the terminal's width in columns for w, or 0 when unknown.
func (s *IOStreams) width(w io.Writer) int {
	if s.termWidth != nil {
		return s.termWidth()
	}
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil {
			return cols
		}
	}
	return 0
}

// SetTermWidth fixes the terminal width tables are fitted to (tests).
func (s *IOStreams) SetTermWidth(cols int) { s.termWidth = func() int { return cols } }

// writeTable draws the table; a styled table wider than the terminal
// (cols > 0) is drawn again at the terminal's width, its widest cells
// wrapped, rather than left to the terminal to break its lines.
func writeTable(w io.Writer, styled bool, cols int, headers []string, rows [][]string) error {
	if styled {
		t := table.New().
			Border(lipgloss.RoundedBorder()).
			BorderStyle(styleBorder).
			Headers(headers...).
			Rows(rows...).
			StyleFunc(func(row, _ int) lipgloss.Style {
				if row == table.HeaderRow {
					return styleHeader
				}
				return styleCell
			})
		out := t.String()
		if cols > 0 && lipgloss.Width(out) > cols {
			out = t.Width(cols).String()
		}
		_, err := fmt.Fprintln(w, out)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	up := make([]string, len(headers))
	for i, h := range headers {
		up[i] = strings.ToUpper(h)
	}
	fmt.Fprintln(tw, strings.Join(up, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}
