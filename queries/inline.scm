; Inline structure inside one `inline` node (or table cell), on the inline grammar.

(code_span) @code

(strong_emphasis) @strong

(strikethrough) @strike

(shortcut_link (link_text) @link)
(collapsed_reference_link (link_text) @link)
(inline_link (link_text) @link)
(full_reference_link (link_label) @link)

; Text that is not prose: link destinations, autolinks and inline HTML (comments included).
(link_destination) @raw
(uri_autolink) @raw
(email_autolink) @raw
(html_tag) @raw
