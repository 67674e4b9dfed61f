import type { ModelDef } from './sunspec-model';
import model1 from '../models/model_1.json';
import model101 from '../models/model_101.json';
import model102 from '../models/model_102.json';
import model103 from '../models/model_103.json';
import model111 from '../models/model_111.json';
import model112 from '../models/model_112.json';
import model113 from '../models/model_113.json';
import model120 from '../models/model_120.json';
import model121 from '../models/model_121.json';
import model122 from '../models/model_122.json';
import model123 from '../models/model_123.json';
import model124 from '../models/model_124.json';
import model160 from '../models/model_160.json';
import model701 from '../models/model_701.json';
import model702 from '../models/model_702.json';
import model703 from '../models/model_703.json';
import model704 from '../models/model_704.json';
import model705 from '../models/model_705.json';
import model713 from '../models/model_713.json';
import model802 from '../models/model_802.json';
import model803 from '../models/model_803.json';
import model804 from '../models/model_804.json';

/**
 * The models the gateway reads or writes (github.com/sunspec/models at 7abdf898, Apache 2.0: libs/sunspec/models):
 * common; inverters single, split and three phase (integer 101-103, float 111-113); nameplate, basic settings,
 * measured status, immediate controls and storage (120-124); MPPT (160); the IEEE 1547 DER measurements, capacity,
 * enter service, controls, volt-var and storage capacity (701-705, 713); the battery base model, lithium-ion battery
 * bank and string (802-804).
 */
export const SUNSPEC_MODELS: ReadonlyMap<number, ModelDef> = new Map(
  [
    model1,
    model101,
    model102,
    model103,
    model111,
    model112,
    model113,
    model120,
    model121,
    model122,
    model123,
    model124,
    model160,
    model701,
    model702,
    model703,
    model704,
    model705,
    model713,
    model802,
    model803,
    model804,
  ].map((m) => [m.id, m as unknown as ModelDef]),
);
