// picocolors turns colour on whenever CI is set; the CLI's rendering tests compare plain text.
process.env.NO_COLOR = '1';
