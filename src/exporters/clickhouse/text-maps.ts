import { attributeToText, emptyRecord, type Attributes } from '../../model/index.js';

type TextMap = Record<string, string>;

/**
 * Attributes as the text maps of `Map(…, String)` columns. Records of one request share their
 * resource and scope objects, so those maps are built once per object, not per record.
 */
export class TextMaps {
  private readonly sharedMaps = new WeakMap<object, TextMap>();

  of(attributes: Attributes): TextMap {
    const map = emptyRecord<string>();
    for (const key in attributes) map[key] = attributeToText(attributes[key]!);
    return map;
  }

  /** The map of a resource's or scope's attributes, built once per object. */
  shared(owner: { attributes: Attributes }): TextMap {
    let map = this.sharedMaps.get(owner);
    if (!map) {
      map = this.of(owner.attributes);
      this.sharedMaps.set(owner, map);
    }
    return map;
  }
}
