// ASCII sparklines for LATENCY GRAPH, drawn by the rules of Redis's sparkline.c in fill mode:
// `rows` rows where each column's level uses '_', 'o', '#' with '|' below it, one blank margin
// row, then each column's label written vertically.

export interface SparklinePoint {
  value: number;
  label: string;
}

const FILL_CHARSET = '_o#';
const LABEL_MARGIN_TOP = 1;

/** Renders the points `columns` at a time; longer series become stacked graphs. */
export function sparkline(points: readonly SparklinePoint[], columns: number, rows: number): string {
  let min = 0;
  let max = 0;
  for (let i = 0; i < points.length; i++) {
    const v = points[i].value;
    if (i === 0 || v < min) min = v;
    if (i === 0 || v > max) max = v;
  }
  let out = '';
  for (let j = 0; j < points.length; j += columns) {
    if (j !== 0) out += '\n';
    out += renderRange(points.slice(j, j + columns), min, max, rows);
  }
  return out;
}

function renderRange(chunk: readonly SparklinePoint[], min: number, max: number, rows: number): string {
  const charsetLen = FILL_CHARSET.length;
  const steps = charsetLen * rows;
  const relmax = max - min === 0 ? 1 : max - min;
  let out = '';
  for (let row = 0; ; row++) {
    let loop = false;
    let line = '';
    for (const point of chunk) {
      let step = Math.trunc(((point.value - min) * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      let ch = ' ';
      if (row < rows) {
        loop = true;
        const charIndex = step - (rows - row - 1) * charsetLen;
        if (charIndex >= 0 && charIndex < charsetLen) ch = FILL_CHARSET[charIndex];
        else if (charIndex >= charsetLen) ch = '|';
      } else if (row - rows < LABEL_MARGIN_TOP) {
        loop = true;
      } else {
        const labelChar = row - rows - LABEL_MARGIN_TOP;
        if (point.label.length > labelChar) {
          loop = true;
          ch = point.label[labelChar];
        }
      }
      line += ch;
    }
    if (!loop) break;
    out += line + '\n';
  }
  return out;
}
