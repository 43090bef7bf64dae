"""The report builder's preview: the page blocks a spec's result is drawn as, put in the
preview box reusing the widgets that fit (a chart redrawn, not rebuilt). Mixed into
`builder_page.BuilderPage`, whose `preview` box, `blocks` and `_live` these use."""

from __future__ import annotations

from typing import Any

from pulsebi.dashboards.builder_saved import note_html


class PreviewBlocks:
    """What the builder page shows in its preview."""

    preview: Any
    blocks: list[Any]
    _live: list[Any]

    def _shownote_html(self, text: str, kind: str = "missing") -> None:
        from pulsebi.dashboards.page import Html

        self._show_blocks([Html(note_html(text, kind))])

    def _show_blocks(self, blocks: list[Any]) -> None:
        """Put `blocks` in the preview, reusing the widgets that fit (charts redrawn)."""
        from pulsebi.dashboards.page import _LiveBlock

        self.blocks = list(blocks)
        for i, block in enumerate(blocks):
            if i < len(self._live) and self._live[i].fits(block):
                self._live[i].put(block, None)
            elif i < len(self._live):
                self._live[i].close()
                self._live[i] = _LiveBlock(block, None)
            else:
                self._live.append(_LiveBlock(block, None))
        for old in self._live[len(blocks) :]:
            old.close()
        del self._live[len(blocks) :]
        self.preview.children = [b.widget for b in self._live]
