import { describe, expect, it } from 'vitest';
import { boundaryProblem, boxAround, containsPoint, distanceMeters, isValidPoint, type Boundary } from './geo.ts';

const square: Boundary = { type: 'Polygon', coordinates: [[[86, 55], [87, 55], [87, 56], [86, 56], [86, 55]], [[86.4, 55.4], [86.6, 55.4], [86.6, 55.6], [86.4, 55.6], [86.4, 55.4]]] };

describe('geometry', () => {
  it('contains points inside the outer ring but not in a hole', () => {
    expect(containsPoint(square, { lat: 55.2, lon: 86.2 })).toBe(true);
    expect(containsPoint(square, { lat: 55.5, lon: 86.5 })).toBe(false);
    expect(containsPoint(square, { lat: 54.9, lon: 86.5 })).toBe(false);
    const multi: Boundary = { type: 'MultiPolygon', coordinates: [square.coordinates as [number, number][][], [[[90, 50], [91, 50], [91, 51], [90, 50]]]] };
    expect(containsPoint(multi, { lat: 50.2, lon: 90.8 })).toBe(true);
  });

  it('measures distance and a box that holds the radius', () => {
    const a = { lat: 55.3547, lon: 86.0873 };
    const b = { lat: 55.3547 + 0.001, lon: 86.0873 };
    expect(distanceMeters(a, b)).toBeGreaterThan(110);
    expect(distanceMeters(a, b)).toBeLessThan(112);
    const box = boxAround(a, 150);
    expect(distanceMeters(a, { lat: box.maxLat, lon: a.lon })).toBeCloseTo(150, 0);
    expect(distanceMeters(a, { lat: a.lat, lon: box.maxLon })).toBeCloseTo(150, 0);
  });

  it('refuses impossible points and 0,0', () => {
    expect(isValidPoint({ lat: 0, lon: 0 })).toBe(false);
    expect(isValidPoint({ lat: 91, lon: 10 })).toBe(false);
    expect(isValidPoint({ lat: 10, lon: -181 })).toBe(false);
    expect(isValidPoint({ lat: Number.NaN, lon: 10 })).toBe(false);
    expect(isValidPoint({ lat: 55, lon: 86 })).toBe(true);
  });

  it('validates GeoJSON boundaries', () => {
    expect(boundaryProblem(square)).toBeNull();
    expect(boundaryProblem({ type: 'Point', coordinates: [1, 2] })).toMatch(/Polygon/);
    expect(boundaryProblem({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1]]] })).toMatch(/4 positions/);
    expect(boundaryProblem({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] })).toMatch(/not closed/);
    expect(boundaryProblem({ type: 'Polygon', coordinates: [[[0, 0], [200, 0], [1, 1], [0, 0]]] })).toMatch(/out of range/);
  });
});
