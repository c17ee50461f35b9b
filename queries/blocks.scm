; Block-level structure of a spec, on tree-sitter-md's block grammar.
; Each capture becomes one block fact; the model is assembled from these alone.

(minus_metadata) @front_matter

(atx_heading
  (inline)? @heading.text) @heading.atx

(setext_heading
  (paragraph (inline) @heading.text)) @heading.setext

(list_item
  [(task_list_marker_checked) @item.checked
   (task_list_marker_unchecked) @item.unchecked]?) @item

(paragraph
  (inline) @paragraph.text) @paragraph

(fenced_code_block) @code
(indented_code_block) @code

(html_block) @html

(link_reference_definition) @link_definition

(pipe_table_cell) @table_cell
