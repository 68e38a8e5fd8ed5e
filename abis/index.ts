export {
  devLicenseAbi,
  devLicenseErrors,
  devLicenseEvents,
  devLicenseFunctions,
  devLicenseLegacyAliasEvents,
} from "./devLicense";
export { dimoCreditAbi } from "./dimoCredit";
export { erc20Abi } from "./erc20";
export { sacdAbi, sacdEvents, sacdFunctions, sacdLegacyEvents } from "./sacd";
export { vehicleIdAbi, vehicleIdEvents, vehicleIdFunctions } from "./vehicleId";
