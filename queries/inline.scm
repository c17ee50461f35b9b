; Inline structure inside one `inline` node (or table cell), on the inline grammar.

(code_span) @code

(strong_emphasis) @strong

(strikethrough) @strike

(shortcut_link (link_text) @link)
(collapsed_reference_link (link_text) @link)
(inline_link (link_text) @link)
(full_reference_link (link_label) @link)
