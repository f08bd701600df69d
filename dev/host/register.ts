/**
 * Import this first (`import './dev/host/register.js'`, or `node --import`) wherever app
 * modules may be evaluated before loadFunctionApp runs — e.g. a test that imports an output
 * binding from a function module. @azure/functions looks for its core module once, on the
 * first `app.*` call, and stays in test mode for good if it is missing then.
 */
import { installCoreStandIn } from './coreStandIn.js';

installCoreStandIn();
