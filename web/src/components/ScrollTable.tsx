import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/** A striped table that scrolls sideways on narrow screens, in a labelled region keyboard users can focus and scroll. */
export function ScrollTable({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus so keyboard users can scroll it (axe scrollable-region-focusable)
    // biome-ignore lint/a11y/useSemanticElements: a plain div keeps Mantine's table layout; the role names the scroll region
    <div tabIndex={0} role="region" aria-label={label} style={{ overflowX: 'auto' }}>
      <Table striped miw={minWidth} aria-label={label}>
        {children}
      </Table>
    </div>
  );
}
