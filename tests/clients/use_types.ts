// Compiles only if the generated types describe the API the way frontends use it.
import type { components, operations, paths } from "./kbapi";

type Concept = components["schemas"]["Concept"];
type ConceptPage =
  paths["/api/v1/concepts/"]["get"]["responses"][200]["content"]["application/json"];
type ListQuery = NonNullable<operations["concepts_list"]["parameters"]["query"]>;
type ApiError = components["schemas"]["Error"];

export const query: ListQuery = { search: "key", page_size: 5, fields: "slug,name", expand: "category" };

export function names(page: ConceptPage): string[] {
  return page.results.map((concept) => `${concept.name} (${concept.slug})`);
}

// ?fields= may leave any field out, and ?expand= swaps a slug for the object
export function outgoing(concept: Concept): string[] {
  return (concept.relations?.outgoing ?? []).map((edge) => `${edge.type} ${edge.concept.slug}`);
}

export function categorySlug(concept: Concept): string | undefined {
  const category = concept.category;
  return typeof category === "object" ? category.slug : category;
}

export function describe(error: ApiError): string {
  return `${error.status} ${error.code}: ${error.message}`;
}
