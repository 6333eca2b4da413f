/** lineclip ships no types: its polygon clipping (Sutherland-Hodgman against a box [minX, minY, maxX, maxY]). */
declare module 'lineclip' {
  export function clipPolygon(points: [number, number][], bbox: [number, number, number, number]): [number, number][];
}
