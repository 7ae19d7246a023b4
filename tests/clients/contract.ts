// Compiles only if the generated types tell a frontend the contract's shapes
// (README, "Using the API"): one collection shape, one concept stub, one comparison
// cell, search hits it can narrow on, sparse fields it can type.
import type { components, operations, paths } from "./kbapi";

type Schemas = components["schemas"];
type Json<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { "application/json": infer Body } } } };
}
  ? Body
  : never;

// --- search hits: narrow on `type`; the `never` check breaks the build if a kind is added
type SearchHit = Schemas["SearchHit"];

export function opens(hit: SearchHit): "page" | "code" | "table" {
  if (hit.type === "concept") {
    return "page";
  }
  if (hit.type === "example") {
    return "code";
  }
  if (hit.type === "comparison") {
    return "table";
  }
  const unexpected: never = hit.type;
  return unexpected;
}

export function matches(hit: SearchHit): string[] {
  const chars = Array.from(hit.snippet); // offsets count code points
  return hit.highlights.map(([start, end]) => chars.slice(start, end).join(""));
}

// --- every collection: count, next, previous, results (next/previous always there)
type Collection<T> = {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
};

export function sizes(
  collections: [
    Collection<Schemas["ConceptBrief"]>,
    Collection<Schemas["Category"]>,
    Collection<SearchHit>,
    Collection<Schemas["Neighbor"]>,
    Collection<Schemas["LearningStep"]>,
    Collection<Schemas["ConceptStub"]>,
    Collection<Schemas["ConceptStub"]>,
    Collection<Schemas["MatrixRow"]>,
    Collection<Schemas["Advice"]>,
    Collection<Schemas["RelationType"]>,
  ],
): number[] {
  return collections.map((c) => c.count);
}

export function collections(
  concepts: Json<"/api/v1/concepts/">,
  categories: Json<"/api/v1/categories/">,
  search: Json<"/api/v1/search/">,
  neighbors: Json<"/api/v1/concepts/{slug}/neighbors/">,
  path: Json<"/api/v1/concepts/{slug}/learning-path/">,
  shortest: Json<"/api/v1/graph/path/">,
  graph: Json<"/api/v1/graph/">,
  compare: Json<"/api/v1/compare/">,
  advice: Json<"/api/v1/advisor/">,
  types: Json<"/api/v1/relation-types/">,
): number[] {
  return sizes([concepts, categories, search, neighbors, path, shortest, graph, compare, advice, types]);
}

// --- one concept stub wherever a concept is embedded (discovery adds keys after it)
type ConceptStub = Schemas["ConceptStub"];

export function embedded(
  concept: Schemas["Concept"],
  neighbors: Json<"/api/v1/concepts/{slug}/neighbors/">,
  shortest: Json<"/api/v1/graph/path/">,
  compare: Json<"/api/v1/compare/">,
  advice: Json<"/api/v1/advisor/">,
): ConceptStub[] {
  const stubs: ConceptStub[] = [
    ...(concept.relations?.outgoing ?? []).map((edge) => edge.concept), // ?fields= may omit it
    neighbors.concept,
    ...neighbors.results,
    shortest.from,
    ...shortest.results,
    ...compare.concepts,
    ...advice.results,
  ];
  return stubs.filter((stub) => stub.category === "database-type");
}

// --- a comparison's cell is the same in comparisons/ and compare/
type Cell = Schemas["Aspect"]["values"][string];
type MatrixCell = Schemas["MatrixRow"]["values"][string];
export const asMatrixCell = (cell: Cell): MatrixCell => cell;
export const asCell = (cell: MatrixCell): Cell => cell;

// --- relation types with labels
export function label(
  types: Json<"/api/v1/relation-types/">,
  edge: Schemas["Relation"],
): string {
  return types.results.find((t) => t.slug === edge.type)?.label ?? edge.type ?? "";
}

// --- sparse fields: ask for some, type the rows as those
type CategoryQuery = NonNullable<operations["categories_list"]["parameters"]["query"]>;
export const biggestFirst: CategoryQuery = { fields: "slug,concept_count", ordering: "-concept_count" };
type CategorySize = Pick<Schemas["Category"], "slug" | "concept_count">;

export function biggest(page: Collection<CategorySize>): string | undefined {
  return page.results.find((category) => (category.concept_count ?? 0) > 0)?.slug;
}

export function sparse(page: Json<"/api/v1/categories/">): string | undefined {
  return biggest(page); // a full page has every field the sparse one has
}
